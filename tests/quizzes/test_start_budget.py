"""The exam paths read each row they need once (issue 14's budget, BENCHMARKS.md "Exams"):
a start, a resume and the quiz's unit page read the student's membership once per role
check, the attempts once, and a new attempt's hold and answers never (it has none but the
hold it is created with). In embedded and service mode."""

from __future__ import annotations

import httpx

from models.quiz_integrity import AttemptDevice, AttemptHold
from tests.quizzes.conftest import COURSE_ID, QUIZ_URL, QuizCourse
from tests.quizzes.test_hand_in_queue import sql_statements


def reads(sent: list[str], table: str) -> list[str]:
    return [s for s in sent if s.startswith("SELECT") and f'FROM "{table}"' in s]


async def test_a_start_reads_the_membership_and_the_attempts_once(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    with sql_statements() as sent:
        r = await client.post(QUIZ_URL, headers=quiz_course.headers["ada"])
    assert r.status_code == 201, r.text
    assert r.json()["questions"] and r.json()["answers"] == {}
    assert len(reads(sent, "memberships")) == 1, sent  # role, audience and group in one
    assert len(reads(sent, "quiz_attempts")) == 1, sent  # the one in progress and the count
    assert not reads(sent, "quiz_attempt_holds") and not reads(sent, "quiz_answers"), sent
    assert not reads(sent, "quiz_attempt_devices"), sent
    assert len(sent) <= 12, sent  # 28 before
    # Held by the device that started it from its creation (the same transaction).
    assert await AttemptHold.filter(attempt_id=r.json()["id"]).count() == 1
    assert await AttemptDevice.filter(attempt_id=r.json()["id"]).count() == 1


async def test_a_resume_reads_the_membership_and_the_device_once(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    ada = quiz_course.headers["ada"]
    first = await client.post(QUIZ_URL, headers=ada)
    assert first.status_code == 201, first.text
    with sql_statements() as sent:
        r = await client.post(QUIZ_URL, headers=ada)
    assert r.status_code == 200 and r.json()["id"] == first.json()["id"], r.text
    assert len(reads(sent, "memberships")) == 1, sent
    assert len(reads(sent, "quiz_attempt_devices")) == 1, sent
    assert len(reads(sent, "quiz_attempts")) == 2, sent  # the attempts, then its row locked
    assert len(sent) <= 7, sent  # 15 before


async def test_the_quiz_unit_page_reads_the_membership_once(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    with sql_statements() as sent:
        r = await client.get(f"/courses/{COURSE_ID}/units/paper",
                             headers=quiz_course.headers["ada"])
    assert r.status_code == 200, r.text
    # The frame reads the role and the course in one statement, and the page's own role
    # check uses that read (courses.service.MembershipRead).
    assert len(reads(sent, "memberships")) == 1, sent
    assert not [s for s in reads(sent, "courses") if 'FROM "courses" "t" WHERE' in s
                or 'FROM "courses" WHERE' in s], sent
    assert len(sent) <= 2, sent  # 11, then 4, then 3 before


async def test_an_autosave_reads_the_hold_with_its_attempt_and_no_other_answer(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    ada = quiz_course.headers["ada"]
    attempt = (await client.post(QUIZ_URL, headers=ada)).json()
    with sql_statements() as sent:
        r = await client.put(f"/api/v1/quiz-attempts/{attempt['id']}/answers/capital",
                             json={"answer": {"choice": "paris"}}, headers=ada)
    assert r.status_code == 200, r.text
    # Before the write: the user, then the hold joined to its attempt; inside: the
    # conditional update, the upsert, the hold again (after the update's lock), the events.
    assert len(reads(sent, "quiz_attempt_holds")) == 2, sent
    assert not reads(sent, "quiz_attempts"), sent  # the attempt comes with its hold
    assert not reads(sent, "quiz_answers"), sent  # the frame shows only the saved answer
    assert len(sent) <= 6, sent  # 8 before



async def test_a_hand_in_reads_the_attempt_the_student_and_the_membership_once(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    ada = quiz_course.headers["ada"]
    attempt = (await client.post(QUIZ_URL, headers=ada)).json()
    with sql_statements() as sent:
        r = await client.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit", headers=ada)
    assert r.status_code == 202 and r.json() == {"id": attempt["id"], "status": "submitted"}
    # The attempt with its hold before the claim, then read back by the claim's token; the
    # student once (signing in), and their membership once for grading's role, audience
    # and group (the submission's deadline).
    attempts = [s for s in reads(sent, "quiz_attempts") if 'WHERE "claim"=' in s]
    assert len(reads(sent, "quiz_attempts")) == len(attempts) == 1, sent
    assert len(reads(sent, "users")) == 1, sent
    assert len(reads(sent, "memberships")) == 1, sent
    assert len(sent) <= 16, sent  # 21 before
