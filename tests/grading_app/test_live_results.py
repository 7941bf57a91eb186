"""Grades reach open sockets live (JSON events and page fragments), and a page that
was offline while its submission was graded gets the result on reconnect."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from tests.grading_app.live import start_course_server, subscribe_events
from tests.support.live import recv_json

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["daphne", "uvicorn"])
def live(request, db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("live"),
                                 server=request.param)
    yield course
    course.server.stop()


async def test_student_and_staff_get_status_and_grade_events(live):
    student = await subscribe_events(live, "ada@example.org", ["user:me"])
    staff = await subscribe_events(live, "ta@example.org", [f"course:{live.course_id}:staff"])
    async with httpx.AsyncClient(base_url=live.server.base) as c:
        r = await c.post(f"/api/v1/courses/{live.course_id}/blocks/number/submissions",
                         json={"answer": {"value": 42}}, headers=live.headers("ada@example.org"))
    sid = r.json()["id"]
    seen = []
    while not seen or seen[-1][0] != "grade.updated":
        frame = await recv_json(student)
        seen.append((frame["event"], frame["data"].get("status")))
        assert frame["topic"] == "user:me"
    assert seen == [("submission.status", "queued"), ("submission.status", "grading"),
                    ("submission.status", "graded"), ("grade.updated", None)]
    grade = frame["data"]
    assert grade["points"] == 1.0 and grade["block_id"] == "number"
    assert grade["submission_id"] == sid
    staff_events = []
    while "grade.updated" not in staff_events:
        staff_events.append((await recv_json(staff))["event"])
    assert staff_events[-1] == "grade.updated"
    await student.close()
    await staff.close()


async def test_submission_topic_is_owner_and_staff_only(live):
    async with httpx.AsyncClient(base_url=live.server.base) as c:
        r = await c.post(f"/api/v1/courses/{live.course_id}/blocks/essay/submissions",
                         json={"answer": {"text": "mine"}}, headers=live.headers("bob@example.org"))
    assert r.json()["status"] == "awaiting_peer_review"
    topic = f"submission:{r.json()['id']}"
    for email, allowed in [("bob@example.org", True), ("ta@example.org", True),
                           ("ada@example.org", False)]:
        ws = await websockets.connect(f"{live.server.ws_base}/api/v1/events?token="
                                      f"{live.tokens[email]}")
        await ws.send(json.dumps({"subscribe": [topic]}))
        answer = await recv_json(ws)
        assert (answer["subscribed"] == [topic]) is allowed
        await ws.close()


async def test_offline_page_gets_the_result_on_reconnect(live):
    # Submit while no page socket is open; the grade lands meanwhile.
    async with httpx.AsyncClient(base_url=live.server.base) as c:
        r = await c.post(f"/api/v1/courses/{live.course_id}/blocks/late/submissions",
                         json={"answer": {"text": "hi"}}, headers=live.headers("bob@example.org"))
        sid = r.json()["id"]
        for _ in range(100):
            body = (await c.get(f"/api/v1/submissions/{sid}",
                                headers=live.headers("bob@example.org"))).json()
            if body["status"] == "graded":
                break
            await asyncio.sleep(0.05)
    # The page socket (HTML) reconnects: the widget region arrives fresh from the database.
    ws = await websockets.connect(f"{live.server.ws_base}/ws?topics=user:me&token="
                                  f"{live.tokens['bob@example.org']}")
    frames = []
    while not any("submission-" in f for f in frames):
        raw = await asyncio.wait_for(ws.recv(), 5)
        frames.append(raw)
    html = next(f for f in frames if "submission-" in f)
    assert 'hx-swap-oob="outerHTML"' in html and 'data-status="graded"' in html
    assert "0.5 / 1" in html  # late: half the points
    await ws.close()
