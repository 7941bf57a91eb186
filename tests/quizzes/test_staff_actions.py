"""Staff reopen a handed-in attempt and extend a running one; every state change of an
attempt is in its audit trail, which staff read (API, keyset paged, and a page) and
students cannot; in embedded and service mode."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

import httpx

from quizzes.deadlines import submit_overdue
from tests.quizzes.conftest import QUIZ_URL, RIGHT, Clock, QuizCourse, graded
from tests.support.people import browser_login


async def started(client: httpx.AsyncClient, course: QuizCourse) -> dict:
    r = await client.post(QUIZ_URL, headers=course.headers["ada"])
    assert r.status_code == 201, r.text
    return r.json()


async def handed_in(client: httpx.AsyncClient, course: QuizCourse) -> dict:
    attempt = await started(client, course)
    r = await client.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit",
                          headers=course.headers["ada"])
    assert r.status_code == 202, r.text
    return attempt


async def staff(client: httpx.AsyncClient, course: QuizCourse, action: str, attempt_id: int,
                body: object, who: str = "ta") -> httpx.Response:
    return await client.post(f"/api/v1/quiz-attempts/{attempt_id}/{action}", json=body,
                             headers=course.headers[who])


async def history(client: httpx.AsyncClient, course: QuizCourse, attempt_id: int,
                  who: str = "ta") -> list[dict]:
    r = await client.get(f"/api/v1/quiz-attempts/{attempt_id}/history",
                         headers=course.headers[who])
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_reopened_attempt_is_back_in_progress_with_a_new_deadline(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock):
    attempt = await handed_in(client, quiz_course)
    await graded(attempt["id"])
    r = await staff(client, quiz_course, "reopen", attempt["id"], {"minutes": 15})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_progress"
    assert datetime.fromisoformat(r.json()["deadline_at"]) == moved_clock.at + timedelta(
        minutes=15)
    read = (await client.get(f"/api/v1/quiz-attempts/{attempt['id']}",
                             headers=quiz_course.headers["ada"])).json()
    assert read["status"] == "in_progress" and read["seconds_left"] == 15 * 60
    assert "points" not in read
    saved = await client.put(f"/api/v1/quiz-attempts/{attempt['id']}/answers/capital",
                             json={"answer": RIGHT["capital"]}, headers=quiz_course.headers["ada"])
    assert saved.status_code == 200, saved.text
    again = await client.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit",
                              headers=quiz_course.headers["ada"])
    assert again.status_code == 202
    await graded(attempt["id"])
    read = (await client.get(f"/api/v1/quiz-attempts/{attempt['id']}",
                             headers=quiz_course.headers["ada"])).json()
    assert read["status"] == "graded" and read["points"] == 1.0
    trail = await history(client, quiz_course, attempt["id"])
    assert [h["action"] for h in trail] == ["started", "submitted", "graded", "reopened",
                                            "submitted", "graded"]
    reopened = trail[3]
    assert reopened["actor"] == {"id": quiz_course.ta.id, "name": "Tara"}
    assert reopened["detail"] == {"minutes": 15} and reopened["deadline_at"]
    assert trail[0]["actor"]["name"] == "Ada" and trail[2]["actor"] is None
    assert trail[5]["detail"] == {"points": 1.0}


async def test_extend_moves_a_running_deadline_and_every_change_is_audited(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock):
    attempt = await started(client, quiz_course)
    first = datetime.fromisoformat(attempt["deadline_at"])
    r = await staff(client, quiz_course, "extend", attempt["id"], {"minutes": 20},
                    who="prof")
    assert r.status_code == 200, r.text
    assert datetime.fromisoformat(r.json()["deadline_at"]) == first + timedelta(minutes=20)
    url = (f"/api/v1/courses/{quiz_course.id}/quizzes/midterm/accommodations/"
           f"{quiz_course.student.id}")
    assert (await client.put(url, json={"extra_minutes": 5}, headers=quiz_course.headers[
        "prof"])).status_code == 200
    moved_clock.forward(minutes=60)  # past every deadline: the server hands it in
    assert await submit_overdue() == [attempt["id"]]
    trail = await history(client, quiz_course, attempt["id"])
    assert [h["action"] for h in trail][:4] == [
        "started", "extended", "accommodation_changed", "submitted_at_deadline"]
    assert trail[1]["detail"] == {"minutes": 20} and trail[1]["actor"]["name"] == "Prof"
    assert trail[2]["detail"] == {"extra_minutes": 5}
    assert trail[3]["actor"] is None


async def test_bad_requests_are_clear_4xx_and_change_nothing(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    running = await started(client, quiz_course)
    for bad in ({}, {"minutes": 0}, {"minutes": "10"}, {"minutes": True},
                {"minutes": 10**9}):
        r = await staff(client, quiz_course, "extend", running["id"], bad)
        assert r.status_code == 400 and "minutes" in r.json()["error"]["message"], bad
    r = await staff(client, quiz_course, "reopen", running["id"], {"minutes": 5})
    assert r.status_code == 422 and "extend it instead" in r.json()["error"]["message"]
    await client.post(f"/api/v1/quiz-attempts/{running['id']}/submit",
                      headers=quiz_course.headers["ada"])
    await graded(running["id"])
    r = await staff(client, quiz_course, "extend", running["id"], {"minutes": 5})
    assert r.status_code == 422 and "reopen it instead" in r.json()["error"]["message"]
    await started(client, quiz_course)  # her second attempt is running
    r = await staff(client, quiz_course, "reopen", running["id"], {"minutes": 5})
    assert r.status_code == 422 and "another attempt" in r.json()["error"]["message"]
    assert [h["action"] for h in await history(client, quiz_course, running["id"])] == [
        "started", "submitted", "graded"]
    for path in ("99999/extend", "x/reopen"):
        r = await client.post(f"/api/v1/quiz-attempts/{path}", json={"minutes": 1},
                              headers=quiz_course.headers["ta"])
        assert r.status_code == 404


async def test_students_cannot_read_the_trail_or_change_an_attempt(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    attempt = await handed_in(client, quiz_course)
    for who in ("ada", "bob"):
        r = await client.get(f"/api/v1/quiz-attempts/{attempt['id']}/history",
                             headers=quiz_course.headers[who])
        assert r.status_code == 403
        assert (await staff(client, quiz_course, "reopen", attempt["id"], {"minutes": 5},
                            who=who)).status_code == 403
    page = await client.get(f"/courses/{quiz_course.id}/quiz-attempts/{attempt['id']}/history",
                            headers=quiz_course.headers["ada"])
    assert page.status_code == 403


async def test_the_trail_is_keyset_paged(client: httpx.AsyncClient, quiz_course: QuizCourse):
    attempt = await started(client, quiz_course)
    for _ in range(4):
        assert (await staff(client, quiz_course, "extend", attempt["id"], {"minutes": 1})
                ).status_code == 200
    url, seen = f"/api/v1/quiz-attempts/{attempt['id']}/history?limit=2", []
    while url:
        r = await client.get(url, headers=quiz_course.headers["ta"])
        assert r.status_code == 200 and len(r.json()) <= 2
        seen += [h["id"] for h in r.json()]
        link = r.headers.get("link")
        url = re.match(r"<([^>]+)>", link).group(1) if link else ""
    assert len(seen) == 5 and seen == sorted(set(seen))
    bad = await client.get(f"/api/v1/quiz-attempts/{attempt['id']}/history?limit=0",
                           headers=quiz_course.headers["ta"])
    assert bad.status_code == 400


async def test_the_history_page_reopens_and_keeps_what_was_typed_on_a_refusal(
        app, quiz_course: QuizCourse):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as ta, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                              base_url="http://testserver") as api:
        attempt = await handed_in(api, quiz_course)
        csrf = await browser_login(ta, quiz_course.ta.email)
        proctor = await ta.get(f"/courses/{quiz_course.id}/quizzes/midterm/proctor")
        base = f"/courses/{quiz_course.id}/quiz-attempts/{attempt['id']}"
        assert f'href="{base}/history"' in proctor.text
        page = await ta.get(f"{base}/history")
        assert page.status_code == 200
        assert "History: Midterm, Ada, attempt 1" in page.text
        assert "handed in by the student" in page.text
        refused = await ta.post(f"{base}/reopen", data={"csrf_token": csrf, "minutes": "ten"})
        assert refused.status_code == 400
        assert 'value="ten"' in refused.text and "minutes must be" in refused.text
        done = await ta.post(f"{base}/reopen", data={"csrf_token": csrf, "minutes": "12"})
        assert done.status_code == 303 and done.headers["location"] == f"{base}/history"
        page = await ta.get(f"{base}/history")
        assert 'data-action="reopened"' in page.text and "Extend the deadline" in page.text


async def test_the_history_page_loads_more_rows_below_its_first_page(
        app, quiz_course: QuizCourse, monkeypatch):
    monkeypatch.setattr("quizzes.staff_routes.HISTORY_LIMIT", 2)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as ta, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                              base_url="http://testserver") as api:
        attempt = await started(api, quiz_course)
        for _ in range(4):
            assert (await staff(api, quiz_course, "extend", attempt["id"], {"minutes": 1})
                    ).status_code == 200
        r = await api.get(f"/api/v1/quiz-attempts/{attempt['id']}/history?limit=50",
                          headers=quiz_course.headers["ta"])
        every = [h["id"] for h in r.json()]
        assert len(every) == 5
        await browser_login(ta, quiz_course.ta.email)
        base = f"/courses/{quiz_course.id}/quiz-attempts/{attempt['id']}/history"
        page = await ta.get(base)
        seen = [int(i) for i in re.findall(r'id="history-(\d+)"', page.text)]
        assert seen == every[:2]
        more = re.search(r'hx-get="([^"]+/history/rows\?[^"]+)"', page.text)
        while more:
            r = await ta.get(more.group(1).replace("&amp;", "&"))
            assert r.status_code == 200 and "<html" not in r.text
            seen += [int(i) for i in re.findall(r'id="history-(\d+)"', r.text)]
            more = re.search(r'hx-get="([^"]+/history/rows\?[^"]+)"', r.text)
        assert seen == every  # each row once, oldest first, the last answer without "more"
        assert (await ta.get(f"{base}/rows?after=oops")).status_code == 400
        assert (await ta.get(f"{base}/rows?limit=3")).status_code == 400  # above the page
        other = f"/courses/course-v1:Nope+X+1/quiz-attempts/{attempt['id']}/history/rows"
        assert (await ta.get(other)).status_code == 404
        ta.cookies.clear()
        await browser_login(ta, quiz_course.student.email)
        assert (await ta.get(f"{base}/rows")).status_code == 403


async def test_overdue_attempts_are_handed_in_together_each_once(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock):
    """A round hands its batch in a few at a time; two rounds at once (two processes) never
    hand the same attempt in twice."""
    ids = []
    for who in ("ada", "bob"):
        r = await client.post(QUIZ_URL, headers=quiz_course.headers[who])
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    moved_clock.forward(minutes=60)
    first, second = await asyncio.gather(submit_overdue(), submit_overdue())
    mine = first + second
    assert len(mine) == len(set(mine)) and set(mine) <= set(ids)  # the app's own round may
    for attempt_id in ids:                                          # have taken some
        for _ in range(200):
            trail = await history(client, quiz_course, attempt_id)
            if [h["action"] for h in trail][-1:] == ["graded"]:
                break
            await asyncio.sleep(0.05)
        actions = [h["action"] for h in trail]
        assert actions == ["started", "submitted_at_deadline", "graded"], actions
