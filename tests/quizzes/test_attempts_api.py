"""Taking a quiz through the JSON API: start/resume, autosave, the server's deadline,
submit, results as review allows, accommodations; in embedded and service mode."""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx

from grading.api import submit_answer
from models.grading import Status, Submission
from models.quizzes import QuizAttempt
from quizzes import routes as quiz_routes
from quizzes.attempt_holds import require_holder
from quizzes.attempts import answers_of, finish_attempt
from quizzes.deadlines import submit_overdue
from quizzes.timing import GRACE_SECONDS
from tests.quizzes.conftest import QUIZ_URL, RIGHT, Clock, QuizCourse, graded

ADA = "ada"


async def start(client: httpx.AsyncClient, course: QuizCourse, who: str = ADA,
                expect: int = 201) -> dict:
    r = await client.post(QUIZ_URL, headers=course.headers[who])
    assert r.status_code == expect, r.text
    return r.json()


async def save(client: httpx.AsyncClient, course: QuizCourse, attempt_id: int,
               question_id: str, answer: object, who: str = ADA) -> httpx.Response:
    return await client.put(f"/api/v1/quiz-attempts/{attempt_id}/answers/{question_id}",
                            json={"answer": answer}, headers=course.headers[who])


async def test_start_then_resume_gives_the_same_attempt_without_answer_keys(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    first = await start(client, quiz_course)
    assert first["status"] == "in_progress" and first["answers"] == {}
    ids = [q["id"] for q in first["questions"]]
    assert len(ids) == 3 and "capital" in ids and all(
        i == "capital" or i.startswith("arith:") for i in ids)
    capital = next(q for q in first["questions"] if q["id"] == "capital")
    assert sorted(o["id"] for o in capital["options"]) == ["lyon", "nice", "paris"]
    again = await start(client, quiz_course, expect=200)  # another tab or device
    assert again["id"] == first["id"] and again["questions"] == first["questions"]
    assert again["deadline_at"] == first["deadline_at"]
    text = str(first)
    for key in ("correct", "KEY-FEEDBACK", "KEY-EXPLANATION", "'answer'", "answers"):
        assert key not in text.replace("'answers': {}", ""), key
    deadline = datetime.fromisoformat(first["deadline_at"])
    started = datetime.fromisoformat(first["started_at"])
    assert (deadline - started).total_seconds() == 30 * 60
    assert 29 * 60 < first["seconds_left"] <= 30 * 60


async def test_saved_answers_come_back_on_resume_and_the_latest_wins(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    attempt = await start(client, quiz_course)
    r = await save(client, quiz_course, attempt["id"], "capital", {"choice": "lyon"})
    assert r.status_code == 200 and "saved_at" in r.json()
    assert (await save(client, quiz_course, attempt["id"], "capital",
                       {"choice": "paris"})).status_code == 200
    resumed = await start(client, quiz_course, expect=200)
    assert resumed["answers"] == {"capital": {"choice": "paris"}}
    read = await client.get(f"/api/v1/quiz-attempts/{attempt['id']}",
                            headers=quiz_course.headers[ADA])
    assert read.json()["answers"] == {"capital": {"choice": "paris"}}


async def test_bad_answers_are_refused_with_a_message_and_nothing_is_lost(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    attempt = await start(client, quiz_course)
    base = f"/api/v1/quiz-attempts/{attempt['id']}/answers"
    assert (await save(client, quiz_course, attempt["id"], "capital",
                       {"choice": "paris"})).status_code == 200
    bad = await save(client, quiz_course, attempt["id"], "capital", {"choice": "rome"})
    assert bad.status_code == 400 and bad.json()["error"]["message"]
    assert (await save(client, quiz_course, attempt["id"], "nope", {"text": "x"})
            ).status_code == 404
    missing = await client.put(f"{base}/capital", json={"choice": "paris"},
                               headers=quiz_course.headers[ADA])
    assert missing.status_code == 400 and "answer" in missing.json()["error"]["message"]
    garbage = await client.put(f"{base}/capital", content=b"{not json",
                               headers=quiz_course.headers[ADA])
    assert garbage.status_code == 400
    # Another student can neither write to nor read this attempt.
    assert (await save(client, quiz_course, attempt["id"], "capital", {"choice": "lyon"},
                       who="bob")).status_code == 404
    assert (await client.get(f"/api/v1/quiz-attempts/{attempt['id']}",
                             headers=quiz_course.headers["bob"])).status_code == 404
    assert (await start(client, quiz_course, expect=200))["answers"] == {
        "capital": {"choice": "paris"}}


async def test_answers_after_the_deadline_are_refused_and_the_server_submits(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock):
    attempt = await start(client, quiz_course)
    for qid in [q["id"] for q in attempt["questions"]]:
        assert (await save(client, quiz_course, attempt["id"], qid, RIGHT[qid])
                ).status_code == 200
    moved_clock.forward(minutes=30, seconds=1)
    late = await save(client, quiz_course, attempt["id"], "capital", {"choice": "lyon"})
    assert late.status_code == 422 and "deadline" in late.json()["error"]["message"]
    # Within the grace after the deadline the server does not hand it in yet (answers
    # that arrived in time may still be saving); once it is over, it does.
    assert await submit_overdue() == []
    assert (await QuizAttempt.get(id=attempt["id"])).status == "in_progress"
    moved_clock.forward(seconds=GRACE_SECONDS)
    # This call or the app's own deadline schedule (which runs too) submits it, once.
    await submit_overdue()
    assert await submit_overdue() == []
    # If the schedule won the claim, it may still be grading: wait (bounded) until both the
    # attempt is graded and its grading Submission is (two steps, written separately).
    for _ in range(200):
        stored = await QuizAttempt.get(id=attempt["id"])
        if stored.status == "graded" and stored.submission_id is not None and (
                await Submission.filter(id=stored.submission_id, status=Status.GRADED
                                        ).exists()):
            break
        await asyncio.sleep(0.05)
    read = (await client.get(f"/api/v1/quiz-attempts/{attempt['id']}",
                             headers=quiz_course.headers[ADA])).json()
    assert read["status"] == "graded" and read["points"] == 3.0
    assert read["answers"]["capital"] == {"choice": "paris"}  # the saved one, not the late
    stored = await QuizAttempt.get(id=attempt["id"])
    assert stored.submitted_by_server and stored.submission_id is not None
    submission = await Submission.get(id=stored.submission_id)
    assert (submission.status, submission.points, submission.max_points) == (
        Status.GRADED, 3.0, 3.0)


async def test_an_answer_that_arrived_before_the_deadline_is_kept_though_handled_after_it(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock,
        monkeypatch):
    """A whole exam closing at once queues the last answers behind each other: the server
    judges when a save arrived (stamped first thing), not when it got to it. One that
    arrived a second before the deadline and queued past it is saved; one that arrived
    after it is refused; the deadline's hand-in, after the grace, holds the kept one."""
    attempt = await start(client, quiz_course)
    moved_clock.forward(minutes=30, seconds=-1)  # a second before the deadline

    async def queued(*args, **kwargs):  # the request waits here, past the deadline
        held = await require_holder(*args, **kwargs)
        moved_clock.forward(seconds=3)
        return held

    monkeypatch.setattr(quiz_routes, "require_holder", queued)
    kept = await save(client, quiz_course, attempt["id"], "capital", {"choice": "paris"})
    assert kept.status_code == 200, kept.text
    assert datetime.fromisoformat(kept.json()["saved_at"]) == moved_clock.at  # when handled
    # Arrived two seconds after the deadline (and handled five after it): refused.
    late = await save(client, quiz_course, attempt["id"], "capital", {"choice": "lyon"})
    assert late.status_code == 422 and "deadline" in late.json()["error"]["message"]
    monkeypatch.setattr(quiz_routes, "require_holder", require_holder)
    moved_clock.forward(seconds=GRACE_SECONDS)
    await submit_overdue()
    stored = await QuizAttempt.get(id=attempt["id"])
    assert stored.status != "in_progress" and stored.submitted_by_server
    assert await answers_of(attempt["id"]) == {"capital": {"choice": "paris"}}


async def test_submit_grades_what_was_saved_and_refuses_a_second_submit(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    attempt = await start(client, quiz_course)
    await save(client, quiz_course, attempt["id"], "capital", {"choice": "lyon"})
    url = f"/api/v1/quiz-attempts/{attempt['id']}/submit"
    r = await client.post(url, headers=quiz_course.headers[ADA])
    assert r.status_code == 202 and r.json()["id"] == attempt["id"]
    assert (await client.post(url, headers=quiz_course.headers[ADA])).status_code == 422
    assert (await save(client, quiz_course, attempt["id"], "capital", {"choice": "paris"})
            ).status_code == 422
    await graded(attempt["id"])  # by grading's queue, after the hand-in returned
    read = (await client.get(f"/api/v1/quiz-attempts/{attempt['id']}",
                             headers=quiz_course.headers[ADA])).json()
    assert read["status"] == "graded" and read["points"] == 0.0
    assert read["results"]["capital"]["answered"] is True
    staff_view = await client.get(f"/api/v1/quiz-attempts/{attempt['id']}",
                                  headers=quiz_course.headers["ta"])
    assert staff_view.status_code == 200 and staff_view.json()["points"] == 0.0


async def test_max_attempts_and_windows_are_enforced(client: httpx.AsyncClient,
                                                      quiz_course: QuizCourse):
    for _ in range(2):
        attempt = await start(client, quiz_course)
        await client.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit",
                          headers=quiz_course.headers[ADA])
    third = await client.post(QUIZ_URL, headers=quiz_course.headers[ADA])
    assert third.status_code == 422 and "2 attempt" in third.json()["error"]["message"]
    later = await client.post(QUIZ_URL.replace("midterm", "later"),
                              headers=quiz_course.headers[ADA])
    assert later.status_code == 422 and "opens at 2999-01-01" in later.text
    stranger = await client.post(QUIZ_URL.replace("midterm", "nope"),
                                 headers=quiz_course.headers[ADA])
    assert stranger.status_code == 404


async def test_extra_time_moves_the_running_attempt_deadline(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock):
    attempt = await start(client, quiz_course)
    url = (f"/api/v1/courses/{quiz_course.id}/quizzes/midterm/accommodations/"
           f"{quiz_course.student.id}")
    denied = await client.put(url, json={"extra_minutes": 10},
                              headers=quiz_course.headers["ta"])
    assert denied.status_code == 403
    bad = await client.put(url, json={"extra_minutes": -5},
                           headers=quiz_course.headers["prof"])
    assert bad.status_code == 400
    r = await client.put(url, json={"extra_minutes": 10}, headers=quiz_course.headers["prof"])
    assert r.status_code == 200, r.text
    moved = datetime.fromisoformat(r.json()["attempt_deadline_at"])
    assert (moved - datetime.fromisoformat(attempt["deadline_at"])).total_seconds() == 600
    moved_clock.forward(minutes=35)  # past the old deadline, before the new one
    assert (await save(client, quiz_course, attempt["id"], "capital", {"choice": "paris"})
            ).status_code == 200
    assert await submit_overdue() == []


async def test_a_forged_quiz_submission_is_withdrawn(quiz_course: QuizCourse):
    submission = await submit_answer(quiz_course.student, quiz_course.id, "midterm",
                                     {"attempt": 999})
    stored = await Submission.get(id=submission.id)
    assert stored.status == Status.ERROR and stored.points is None


async def test_malformed_ids_are_404_not_a_server_error(client: httpx.AsyncClient,
                                                         quiz_course: QuizCourse):
    ada = quiz_course.headers[ADA]
    for bad in ("99999999999999999999", "2147483648", "0", "-1", "x"):
        assert (await client.get(f"/api/v1/quiz-attempts/{bad}", headers=ada)
                ).status_code == 404
        assert (await client.put(f"/api/v1/quiz-attempts/{bad}/answers/q",
                                 json={"answer": {}}, headers=ada)).status_code == 404
        r = await client.put(f"/api/v1/courses/{quiz_course.id}/quizzes/midterm/"
                             f"accommodations/{bad}", json={"extra_minutes": 1},
                             headers=quiz_course.headers["prof"])
        assert r.status_code == 404
    forged = await client.post(
        f"/api/v1/courses/{quiz_course.id}/blocks/midterm/submissions",
        json={"answer": {"attempt": 99999999999999}}, headers=ada)
    assert forged.status_code == 400 and "quiz page" in forged.json()["error"]["message"]


async def test_two_processes_finishing_one_attempt_submit_it_once(client: httpx.AsyncClient,
                                                                   quiz_course: QuizCourse):
    attempt = await start(client, quiz_course)
    outcomes = await asyncio.gather(finish_attempt(attempt["id"], by_server=True),
                                    finish_attempt(attempt["id"], by_server=False))
    assert sorted(outcomes) == [False, True]
    stored = await QuizAttempt.get(id=attempt["id"])
    assert await Submission.filter(user_id=quiz_course.student.id,
                                   block_id="midterm").count() == 1
    assert stored.submission_id is not None
