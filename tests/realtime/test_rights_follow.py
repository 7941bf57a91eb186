"""Rights follow changes on open sockets: a role change, a removal, a logout and a token's
expiry take effect on sockets already subscribed (realtime/rights.py), here and across
processes."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
import websockets
from itsdangerous import TimestampSigner

from accounts.tokens import issue_token
from app.application import SESSION_MAX_AGE
from tests.conftest import PG_BASE, REDIS_URL
from tests.support.live import (
    api_token,
    recv_json,
    seed_demo,
    seeded_server,
    server_env,
    session_cookie,
)
from tests.support.servers import ServerProcess

COURSE = "course-v1:Coursewire+PY101+2026"
STAFF = f"course:{COURSE}:staff"


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    yield from seeded_server(db_factory, tmp_path_factory.mktemp("rights"), REDIS_URL)


def bearer(base: str, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(base, email)}"}


def user_id(base: str, email: str) -> int:
    return httpx.get(f"{base}/api/v1/me", headers=bearer(base, email)).json()["id"]


def set_role(base: str, email: str, role: str) -> None:
    r = httpx.put(f"{base}/api/v1/courses/{COURSE}/members/{user_id(base, email)}",
                  json={"role": role}, headers=bearer(base, "instructor@demo.coursewire"))
    assert r.status_code == 200, r.text


def remove_member(base: str, email: str) -> None:
    cookie, csrf = session_cookie(base, "instructor@demo.coursewire")
    r = httpx.post(f"{base}/courses/{COURSE}/members", headers={"Cookie": cookie},
                   data={"action": "remove", "user_id": str(user_id(base, email)),
                         "csrf_token": csrf})
    assert r.status_code == 200 and "Saved." in r.text, r.text


async def frame_of(ws, timeout: float = 10.0) -> dict:
    """The next frame that isn't a heartbeat, waiting at most `timeout` in all."""
    async with asyncio.timeout(timeout):
        return await recv_json(ws, timeout=timeout)


async def subscribed(base_ws: str, token: str, topics: list[str]):
    ws = await websockets.connect(f"{base_ws}/api/v1/events?token={token}")
    await ws.send(json.dumps({"subscribe": topics}))
    answer = await frame_of(ws)
    assert answer["subscribed"] == topics, answer
    return ws


async def nothing_before_pong(ws) -> None:
    """The next frame is the answer to this ping: nothing was queued for the socket before it.

    Called after another socket of the same process received the event: the hub hands an
    event to every local subscriber at once, so a frame for `ws` would already be ahead.
    """
    await ws.send(json.dumps({"ping": "after"}))
    assert await frame_of(ws) == {"pong": "after"}


def staff_event(base: str) -> int:
    """A student starts a thread and another flags it: a moderation frame on the staff topic."""
    r = httpx.post(f"{base}/api/v1/courses/{COURSE}/forum/threads",
                   json={"title": "Is this allowed?", "body": "Asking for a friend."},
                   headers=bearer(base, "ada@demo.coursewire"))
    assert r.status_code == 201, r.text
    post_id = r.json()["post_id"]
    r = httpx.post(f"{base}/api/v1/forum/posts/{post_id}/flags", json={"reason": "spam"},
                   headers=bearer(base, "linus@demo.coursewire"))
    assert r.status_code == 201, r.text
    return post_id


async def test_demoted_ta_stops_receiving_staff_frames(server):
    teacher = await subscribed(server.ws_base, api_token(server.base, "instructor@demo.coursewire"),
                               [STAFF])
    ta = await subscribed(server.ws_base, api_token(server.base, "ta@demo.coursewire"),
                          [STAFF, f"course:{COURSE}"])
    try:
        set_role(server.base, "ta@demo.coursewire", "student")
        assert await frame_of(ta) == {"denied": [STAFF], "reasons": {STAFF: "no longer allowed"}}
        post_id = staff_event(server.base)
        frame = await frame_of(teacher)
        assert frame["topic"] == STAFF and frame["data"]["post_id"] == post_id
        await nothing_before_pong(ta)
    finally:
        set_role(server.base, "ta@demo.coursewire", "ta")
        await teacher.close()
        await ta.close()


async def test_removed_member_stops_receiving_announcements(server):
    course = f"course:{COURSE}"
    teacher = await subscribed(server.ws_base, api_token(server.base, "instructor@demo.coursewire"),
                               [course])
    student = await subscribed(server.ws_base, api_token(server.base, "margaret@demo.coursewire"),
                               ["user:me", course])
    try:
        remove_member(server.base, "margaret@demo.coursewire")
        assert (await frame_of(student))["denied"] == [course]
        r = httpx.post(f"{server.base}/api/v1/courses/{COURSE}/announcements",
                       json={"title": "Members only", "body": "x"},
                       headers=bearer(server.base, "instructor@demo.coursewire"))
        assert r.status_code == 201, r.text
        assert (await frame_of(teacher))["data"]["id"] == r.json()["id"]
        await nothing_before_pong(student)
    finally:
        set_role(server.base, "margaret@demo.coursewire", "student")
        await teacher.close()
        await student.close()


async def closed_with(ws, timeout: float = 10.0) -> tuple[int, dict]:
    """Read until the server closes the socket; returns its close code and last frame."""
    last = None
    with pytest.raises(websockets.ConnectionClosed) as closed:
        async with asyncio.timeout(timeout):  # heartbeats keep coming: bound the whole wait
            while True:
                last = await ws.recv()
    return closed.value.rcvd.code, json.loads(last)


async def test_logout_closes_the_sessions_sockets_with_the_auth_code(server):
    cookie, csrf = session_cookie(server.base, "edsger@demo.coursewire")
    other_cookie, _ = session_cookie(server.base, "edsger@demo.coursewire")
    headers = {"Cookie": cookie, "Origin": server.base}
    url = f"{server.ws_base}/ws?topics=user:me"
    async with websockets.connect(url, additional_headers=headers) as ws, \
            websockets.connect(url, additional_headers={"Cookie": other_cookie,
                                                        "Origin": server.base}) as other:
        await ws.send(json.dumps({"ping": 1}))  # the page socket is up and subscribed
        r = httpx.post(f"{server.base}/logout", headers={"Cookie": cookie},
                       data={"csrf_token": csrf})
        assert r.status_code == 303, r.text
        code, last = await closed_with(ws)
        assert code == 4401 and last["error"]["code"] == "not_authenticated"
        # Logout ends every session of the account (its cookies and tokens stop working),
        # so the same user's socket in another browser closes too.
        code, last = await closed_with(other)
        assert code == 4401 and last["error"]["code"] == "not_authenticated"


async def test_token_expiry_closes_the_socket(server):
    uid = user_id(server.base, "barbara@demo.coursewire")
    token = issue_token(uid, server.env["SECRET_KEY"], 2)
    ws = await subscribed(server.ws_base, token, ["user:me"])
    code, last = await closed_with(ws)
    assert code == 4401 and "expired" in last["error"]["message"]


def aged_cookie(cookie: str, secret: str, seconds_left: int) -> str:
    """The same session cookie, signed as if set long ago: it expires in `seconds_left`."""
    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - SESSION_MAX_AGE + seconds_left

    name, _, raw = next(part for part in cookie.split("; ") if part.startswith("cw_session="))\
        .partition("=")
    payload = TimestampSigner(secret).unsign(raw.encode(), max_age=SESSION_MAX_AGE)
    return f"{name}={Then(secret).sign(payload).decode()}"


async def test_session_expiry_closes_the_socket(server):
    """The socket of a cookie session closes when the cookie it was opened with expires,
    as a token's does (it used to stay open for as long as the page kept it)."""
    cookie, _ = session_cookie(server.base, "barbara@demo.coursewire")
    cookie = aged_cookie(cookie, server.env["SECRET_KEY"], 3)
    async with websockets.connect(f"{server.ws_base}/ws?topics=user:me",
                                  additional_headers={"Cookie": cookie,
                                                      "Origin": server.base}) as ws:
        await ws.send(json.dumps({"ping": 1}))  # signed in and subscribed
        code, last = await closed_with(ws)
    assert code == 4401 and "session has expired" in last["error"]["message"]


@pytest.mark.skipif(not (PG_BASE and REDIS_URL), reason="needs PostgreSQL and Redis")
async def test_a_role_change_on_one_process_reaches_the_socket_on_the_other(
        db_factory, tmp_path_factory):
    env_a = server_env(db_factory, tmp_path_factory.mktemp("ra"), REDIS_URL)
    env_b = {**env_a, "COURSEWIRE_DATA_DIR": str(tmp_path_factory.mktemp("rb"))}
    seed_demo(env_a)
    a = ServerProcess("uvicorn", env_a).start()
    b = ServerProcess("uvicorn", env_b).start()
    try:
        ta = await subscribed(b.ws_base, api_token(b.base, "ta@demo.coursewire"), [STAFF])
        set_role(a.base, "ta@demo.coursewire", "student")  # on the other process
        assert (await frame_of(ta))["denied"] == [STAFF]
        teacher = await subscribed(b.ws_base, api_token(b.base, "instructor@demo.coursewire"),
                                   [STAFF])
        staff_event(a.base)
        assert (await frame_of(teacher))["topic"] == STAFF
        await nothing_before_pong(ta)
        await ta.close()
        await teacher.close()
    finally:
        a.stop()
        b.stop()
