"""/ws: cookie-authenticated HTML fragments for htmx, with fresh regions on (re)connect."""

import asyncio

import httpx
import pytest
import websockets

from tests.support.live import recv_until, session_cookie

COURSE = "course-v1:Coursewire+PY101+2026"
LIST_ID = "announcements-course-v1_Coursewire_PY101_2026"


def page_socket(server, cookie: str, topics: str):
    from urllib.parse import quote

    return websockets.connect(f"{server.ws_base}/ws?topics={quote(topics, safe='')}",
                              additional_headers={"Cookie": cookie})


async def test_page_socket_resyncs_regions_on_connect_then_streams_fragments(live_server):
    cookie, _ = session_cookie(live_server.base, "ada@demo.coursewire")
    async with page_socket(live_server, cookie, f"user:me,course:{COURSE}") as ws:
        fresh = await recv_until(ws, lambda f: LIST_ID in f)
        assert 'hx-swap-oob="outerHTML"' in fresh and "Welcome to PY101!" in fresh
        prof_cookie, csrf = session_cookie(live_server.base, "instructor@demo.coursewire")
        r = httpx.post(f"{live_server.base}/courses/{COURSE}/announcements",
                       data={"title": "Pushed <b>safely</b>", "body": "hello"},
                       headers={"Cookie": prof_cookie, "X-CSRF-Token": csrf,
                                "HX-Request": "true"})
        assert r.status_code == 200, r.text
        frame = await recv_until(ws, lambda f: "Pushed" in f)
        assert f'id="{LIST_ID}" hx-swap-oob="afterbegin"' in frame
        assert "Pushed &lt;b&gt;safely&lt;/b&gt;" in frame


async def test_page_socket_without_a_session_is_closed_with_4401(live_server):
    async with websockets.connect(f"{live_server.ws_base}/ws?topics=user:me") as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd.code == 4401


async def test_page_socket_does_not_leak_regions_of_courses_you_are_not_in(live_server):
    r = httpx.post(f"{live_server.base}/api/v1/auth/register",
                   json={"email": "outsider@example.org", "password": "outsider-pass",
                         "name": "Out"})
    assert r.status_code in (201, 409)
    cookie, _ = session_cookie(live_server.base, "outsider@example.org", "outsider-pass")
    async with page_socket(live_server, cookie, f"course:{COURSE}") as ws:
        frame = await recv_until(ws, lambda f: True, timeout=5)
        assert frame.startswith("{") and "Welcome" not in frame  # only a heartbeat
