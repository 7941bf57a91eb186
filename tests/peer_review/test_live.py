"""Live assignment and results over real sockets (a real server process): a waiting
reviewer is handed a new response the moment it arrives; authors get their score live;
staff get the board. No frame names an author to a reviewer or a reviewer to an author."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import httpx
import pytest

from tests.grading_app.live import start_course_server, subscribe_events
from tests.peer_review.conftest import BLOCK, EXTRA, GOOD, QUICK
from tests.support.live import recv_json


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("prlive"),
                                 course_extra=EXTRA, students=1)
    yield course
    course.server.stop()


async def _next_event(ws, name: str, timeout: float = 10.0) -> dict:
    async def first() -> dict:
        while True:
            frame = await recv_json(ws)
            if frame.get("event") == name:
                return frame
    return await asyncio.wait_for(first(), timeout)  # heartbeats never end a plain recv


async def test_waiting_reviewer_is_pushed_work_and_author_gets_score(live):
    cid = live.course_id
    pr = f"/api/v1/peer-review/{cid}/{BLOCK}"
    ada, bob, s0 = "ada@example.org", "bob@example.org", "s0@example.org"
    ada_ws = await subscribe_events(live, ada, ["user:me"])
    staff_ws = await subscribe_events(live, "ta@example.org", [f"course:{cid}:staff"])
    async with httpx.AsyncClient(base_url=live.server.base) as c:
        async def submit(who: str, text: str) -> None:
            r = await c.post(f"/api/v1/courses/{cid}/blocks/{BLOCK}/submissions",
                             json={"answer": {"text": text}}, headers=live.headers(who))
            assert r.status_code == 202, r.text

        async def review(who: str) -> None:
            lease = await c.get(f"{pr}/next", headers=live.headers(who))
            assert lease.status_code == 200, lease.text
            r = await c.post(f"/api/v1/peer-review/assignments/{lease.json()['id']}/"
                             "assessment", json=GOOD, headers=live.headers(who))
            assert r.status_code == 201, r.text

        await submit(ada, "The first response")
        assert (await c.get(f"{pr}/next", headers=live.headers(ada))).status_code == 204
        board = await _next_event(staff_ws, "peer_review.board")
        while board["data"]["waiting"] != 1:  # the first is the submission's own update
            board = await _next_event(staff_ws, "peer_review.board")
        assert board["data"]["responses"] == 1
        await submit(bob, "The second response")
        frame = await _next_event(ada_ws, "peer_review.assigned")
        assert frame["topic"] == "user:me"
        assert frame["data"]["submission"]["answer"] == {"text": "The second response"}
        raw = json.dumps(frame)
        assert "bob" not in raw.lower() and "author" not in raw and "user_id" not in raw
        # Same lease through the API.
        got = await c.get(f"{pr}/next", headers=live.headers(ada))
        assert got.json()["id"] == frame["data"]["id"]
        await submit(s0, "The third response")
        for who in (ada, ada, bob, bob, s0, s0):
            await review(who)
        result = await _next_event(ada_ws, "peer_review.result")
        assert result["data"]["status"] == "graded" and result["data"]["points"] == 5.0
        assert "bob" not in json.dumps(result).lower()
        api = (await c.get(f"{pr}/result", headers=live.headers(ada))).json()
        assert api["status"] == "graded" and api["per_criterion"] == result["data"][
            "per_criterion"]
    await ada_ws.close()
    await staff_ws.close()


@pytest.fixture(scope="module")
def short_leases(db_factory, tmp_path_factory):
    """Leases of ~7 s and a sweeper every half second, so a lease can run out in a test."""
    course = start_course_server(
        db_factory, tmp_path_factory.mktemp("prexpiry"), course_extra=EXTRA, students=1,
        env_extra={"COURSEWIRE_PEER_LEASE_HOURS": "0.002",
                   "COURSEWIRE_PEER_SWEEP_SECONDS": "0.5"})
    yield course
    course.server.stop()


async def test_waiting_reviewer_is_pushed_the_response_whose_lease_expired(short_leases):
    live = short_leases
    cid = live.course_id
    pr = f"/api/v1/peer-review/{cid}/{QUICK}"
    ada, bob, s0 = "ada@example.org", "bob@example.org", "s0@example.org"
    async with httpx.AsyncClient(base_url=live.server.base) as c:
        for who, text in ((ada, "Tabs"), (bob, "Spaces"), (s0, "Both, by context")):
            r = await c.post(f"/api/v1/courses/{cid}/blocks/{QUICK}/submissions",
                             json={"answer": {"text": text}},
                             headers=live.headers(who))
            assert r.status_code == 202, r.text

        async def lease(who: str) -> dict:
            r = await c.get(f"{pr}/next", headers=live.headers(who))
            assert r.status_code == 200, r.text
            return r.json()

        for who in (ada, bob):  # each does their one review (quick: graded_by 1)
            r = await c.post(f"/api/v1/peer-review/assignments/{(await lease(who))['id']}/"
                             "assessment", json=GOOD, headers=live.headers(who))
            assert r.status_code == 201, r.text
        held = await lease(bob)  # the last response needing a review; Bob walks away
        assert held["submission"]["answer"]["text"] == "Both, by context"
        ada_ws = await subscribe_events(live, ada, ["user:me"])
        # Nothing else needs reviewing while Bob holds it: Ada waits.
        assert (await c.get(f"{pr}/next", headers=live.headers(ada))).status_code == 204
        # No request from Ada from here on: the sweeper expires Bob's lease and the freed
        # response is pushed to her socket.
        frame = await _next_event(ada_ws, "peer_review.assigned", timeout=30)
        arrived = datetime.now(UTC)
        assert arrived >= datetime.fromisoformat(held["expires_at"])
        assert frame["data"]["submission"]["answer"]["text"] == "Both, by context"
        assert frame["data"]["id"] != held["id"]
        raw = json.dumps(frame)
        assert "Student 0" not in raw and "s0@" not in raw and "author" not in raw
        again = await c.get(f"{pr}/next", headers=live.headers(ada))
        assert again.status_code == 200 and again.json()["id"] == frame["data"]["id"]
        r = await c.post(f"/api/v1/peer-review/assignments/{held['id']}/assessment",
                         json=GOOD, headers=live.headers(bob))
        assert r.status_code == 422, r.text  # Bob's time ran out
    await ada_ws.close()
