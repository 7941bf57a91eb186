"""/ws: cookie-authenticated HTML fragments for htmx, with fresh regions on (re)connect."""

import asyncio
import html
import json
import re

import httpx
import pytest
import websockets

from tests.support.live import recv_until, session_cookie

COURSE = "course-v1:Coursewire+PY101+2026"
LIST_ID = "announcements-course_2dv1_3aCoursewire_2bPY101_2b2026"


def page_socket(server, cookie: str, topics: str):
    from urllib.parse import quote

    return websockets.connect(f"{server.ws_base}/ws?topics={quote(topics, safe='')}",
                              additional_headers={"Cookie": cookie}, origin=server.base)


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
        status = await recv_until(ws, lambda f: True, timeout=5)
        assert 'id="live-denied"' in status and f"course:{COURSE}" in status
        assert "Welcome" not in status
        heartbeat = await recv_until(ws, lambda f: True, timeout=5)
        assert heartbeat.startswith("{") and "Welcome" not in heartbeat


async def recv_json_frame(ws, timeout: float = 5.0) -> dict:
    """The next JSON frame that isn't a heartbeat (HTML fragments are skipped)."""
    raw = await recv_until(ws, lambda f: f.startswith("{") and '"heartbeat"' not in f, timeout)
    return json.loads(raw)


@pytest.mark.parametrize("frame", ["not json", "[" * 5000, '{"subscribe": "user:me"}',
                                   '{"what": 1}', '{"subscribe": ["course:\\u0000"]}',
                                   '{"subscribe": ["\\udfff"]}'], ids=lambda f: f[:24])
async def test_bad_frames_on_the_page_socket_get_an_error_frame_and_it_stays_up(
        live_server, frame):
    cookie, _ = session_cookie(live_server.base, "ada@demo.coursewire")
    async with page_socket(live_server, cookie, "user:me") as ws:
        await ws.send(frame)
        error = await recv_json_frame(ws)
        assert error["error"]["code"] == "bad_frame" and error["error"]["message"]
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}"]}))
        assert "Welcome to PY101!" in await recv_until(ws, lambda f: LIST_ID in f)


async def test_unknown_and_denied_topics_are_reported_to_the_page(live_server):
    cookie, _ = session_cookie(live_server.base, "ada@demo.coursewire")
    strange = ["thread:\u00b2", "thread:99999999999999999999", "course:\x00"]
    topics = ",".join(["user:me", "weather:helsinki", f"course:{COURSE}:staff", *strange])
    async with page_socket(live_server, cookie, topics) as ws:
        status = await recv_until(ws, lambda f: 'id="live-denied"' in f)
        assert 'hx-swap-oob="true"' in status  # swapped into the page's hidden status element
        denied = json.loads(html.unescape(re.search(r'data-denied="([^"]*)"', status).group(1)))
        assert denied == ["weather:helsinki", f"course:{COURSE}:staff", *strange]
        error = await recv_json_frame(ws)
        assert error["error"]["code"] == "unknown_topic"
        assert set(error["error"]["fields"]) == {"weather:helsinki", "course:\x00"}
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}"]}))  # still up
        assert "Welcome to PY101!" in await recv_until(ws, lambda f: LIST_ID in f)


async def test_pages_render_the_element_denied_topics_are_reported_into(live_server):
    cookie, _ = session_cookie(live_server.base, "ada@demo.coursewire")
    home = httpx.get(f"{live_server.base}/", headers={"Cookie": cookie}).text
    assert '<div id="live-denied" hidden></div>' in home


@pytest.mark.parametrize("origin", ["http://evil.example", "null", None])
async def test_page_sockets_from_another_origin_are_refused(live_server, origin):
    from urllib.parse import quote

    cookie, _ = session_cookie(live_server.base, "ada@demo.coursewire")
    url = f"{live_server.ws_base}/ws?topics={quote(f'course:{COURSE}', safe='')}"
    async with websockets.connect(url, additional_headers={"Cookie": cookie},
                                  origin=origin) as ws:
        frames = []
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                frames.append(await asyncio.wait_for(ws.recv(), 5))
        assert closed.value.rcvd.code == 4403
        assert not any(LIST_ID in f for f in frames)  # nothing of the course leaked
        assert json.loads(frames[0])["error"]["code"] == "permission_denied"
