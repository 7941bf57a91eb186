"""/api/v1/events: authentication, per-topic authorization, bad frames, live events, replay."""

import asyncio
import json

import httpx
import pytest
import websockets

from accounts.tokens import issue_token
from tests.support.live import api_token, recv_json, session_cookie

COURSE = "course-v1:Coursewire+PY101+2026"


def post_announcement(server, title: str) -> dict:
    tok = api_token(server.base, "instructor@demo.coursewire")
    r = httpx.post(f"{server.base}/api/v1/courses/{COURSE}/announcements",
                   json={"title": title, "body": "Read **chapter 2**."},
                   headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 201, r.text
    return r.json()


async def connect(server, email: str):
    tok = api_token(server.base, email)
    return await websockets.connect(f"{server.ws_base}/api/v1/events?token={tok}")


async def test_student_receives_announcement_live(live_server):
    async with await connect(live_server, "ada@demo.coursewire") as ws:
        await ws.send(json.dumps({"subscribe": ["user:me", f"course:{COURSE}"]}))
        assert await recv_json(ws) == {"subscribed": ["user:me", f"course:{COURSE}"],
                                       "denied": []}
        posted = post_announcement(live_server, "Live one")
        frame = await recv_json(ws)
        assert frame["topic"] == f"course:{COURSE}"
        assert frame["event"] == "announcement.created"
        assert frame["data"]["id"] == posted["id"] and frame["data"]["title"] == "Live one"
        assert isinstance(frame["seq"], int) and frame["seq"] > 0


async def test_staff_topic_and_others_user_topics_are_denied_never_granted(live_server):
    async with await connect(live_server, "ada@demo.coursewire") as ws:
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}:staff", "user:1",
                                                "course:course-v1:Other+X+Y"]}))
        answer = await recv_json(ws)
        assert answer["subscribed"] == []
        assert set(answer["denied"]) == {f"course:{COURSE}:staff", "user:1",
                                         "course:course-v1:Other+X+Y"}
    async with await connect(live_server, "ta@demo.coursewire") as ws:
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}:staff",
                                                f"course:{COURSE}:forum"]}))
        answer = await recv_json(ws)
        assert answer["subscribed"] == [f"course:{COURSE}:staff", f"course:{COURSE}:forum"]


@pytest.mark.parametrize("frame", [
    "not json", "[1,2]", '{"subscribe": "user:me"}', '{"what": 1}',
    '{"subscribe": [], "since": -1}', "x" * 20_000,
    "[" * 5000,  # deep enough to exhaust the parser's stack (RecursionError)
    '{"since": ' + "9" * 5000 + "}",  # past Python's int-from-string digit limit
    '{"subscribe": ' + "[" * 50 + "]" * 50 + "}",  # parses, but deeper than any frame
    '{"subscribe": ["user:me\\u0000"]}',  # NUL in text
    '{"subscribe": ["course:\\ud800"]}',  # a lone surrogate
], ids=lambda frame: frame[:24])
async def test_bad_frames_get_an_error_frame_and_the_connection_stays_up(live_server, frame):
    async with await connect(live_server, "ada@demo.coursewire") as ws:
        await ws.send(frame)
        error = await recv_json(ws)
        assert error["error"]["code"] == "bad_frame" and error["error"]["message"]
        await ws.send(json.dumps({"ping": 1}))
        assert await recv_json(ws) == {"pong": 1}


async def test_binary_frames_are_refused_politely(live_server):
    async with await connect(live_server, "ada@demo.coursewire") as ws:
        await ws.send(b"\x00\x01")
        assert (await recv_json(ws))["error"]["code"] == "bad_frame"


async def test_unknown_topics_are_denied_with_an_error_frame(live_server):
    async with await connect(live_server, "ada@demo.coursewire") as ws:
        await ws.send(json.dumps({"subscribe": ["user:me", "weather:helsinki"]}))
        answer = await recv_json(ws)
        assert answer == {"subscribed": ["user:me"], "denied": ["weather:helsinki"]}
        error = await recv_json(ws)
        assert error["error"]["code"] == "unknown_topic"
        assert "weather:helsinki" in error["error"]["fields"]


async def test_invalid_tokens_are_refused_with_4401(live_server):
    async with websockets.connect(f"{live_server.ws_base}/api/v1/events?token=garbage") as ws:
        frame = await recv_json(ws)
        assert frame["error"]["code"] == "not_authenticated"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 4401


def my_id(server, email: str) -> int:
    tok = api_token(server.base, email)
    return httpx.get(f"{server.base}/api/v1/me", headers={"Authorization": f"Bearer {tok}"}
                     ).json()["id"]


async def test_expired_tokens_signed_by_the_server_are_refused_on_http_and_socket(live_server):
    secret = live_server.env["SECRET_KEY"]  # a real server signature: only expiry is wrong
    uid = my_id(live_server, "ada@demo.coursewire")
    fresh, expired = issue_token(uid, secret, 60), issue_token(uid, secret, -10)
    me = f"{live_server.base}/api/v1/me"
    assert httpx.get(me, headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    r = httpx.get(me, headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]
    async with websockets.connect(f"{live_server.ws_base}/api/v1/events?token={fresh}") as ws:
        await ws.send(json.dumps({"subscribe": ["user:me"]}))
        assert (await recv_json(ws))["subscribed"] == ["user:me"]
    async with websockets.connect(f"{live_server.ws_base}/api/v1/events?token={expired}") as ws:
        frame = await recv_json(ws)
        assert frame["error"]["code"] == "not_authenticated"
        assert "expired" in frame["error"]["message"]
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 4401


async def test_bearer_header_also_authenticates(live_server):
    tok = api_token(live_server.base, "ada@demo.coursewire")
    async with websockets.connect(f"{live_server.ws_base}/api/v1/events",
                                  additional_headers={"Authorization": f"Bearer {tok}"}) as ws:
        await ws.send(json.dumps({"subscribe": ["user:me"]}))
        assert (await recv_json(ws))["subscribed"] == ["user:me"]


async def test_events_missed_while_disconnected_are_replayed_after_since(live_server):
    async with await connect(live_server, "linus@demo.coursewire") as ws:
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}"]}))
        await recv_json(ws)
        first = post_announcement(live_server, "Before the tunnel")
        last_seq = (await recv_json(ws))["seq"]
    missed = [post_announcement(live_server, f"While away {i}")["id"] for i in range(2)]
    async with await connect(live_server, "linus@demo.coursewire") as ws:
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}"], "since": last_seq}))
        await recv_json(ws)
        replayed = [await recv_json(ws) for _ in range(2)]
        assert [f["data"]["id"] for f in replayed] == missed
        assert first["id"] not in [f["data"]["id"] for f in replayed]
        assert replayed[0]["seq"] > last_seq and replayed[1]["seq"] > replayed[0]["seq"]


async def test_heartbeats_arrive_on_idle_sockets(live_server):
    async with await connect(live_server, "ada@demo.coursewire") as ws:
        await ws.send(json.dumps({"subscribe": ["user:me"]}))
        await recv_json(ws)
        # Events may come first: the server's notifications for an earlier test's
        # announcement (its consumer runs a round at most every 0.2 s) are Ada's too.
        async with asyncio.timeout(5):  # the tests' servers beat every second
            frame = await recv_json(ws, skip_heartbeats=False)
            while frame.get("event") != "heartbeat":
                assert frame.get("event") == "notification.created", frame
                frame = await recv_json(ws, skip_heartbeats=False)
        assert frame == {"event": "heartbeat"}


async def test_unsubscribe_stops_delivery(live_server):
    async with await connect(live_server, "margaret@demo.coursewire") as ws:
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}", "user:me"]}))
        await recv_json(ws)
        await ws.send(json.dumps({"unsubscribe": [f"course:{COURSE}"]}))
        assert await recv_json(ws) == {"unsubscribed": [f"course:{COURSE}"]}
        post_announcement(live_server, "Not for you")
        await ws.send(json.dumps({"ping": "after"}))
        assert await recv_json(ws) == {"pong": "after"}


# Keys no domain authorizer expects: a non-ASCII digit, ids too large for any id column.
STRANGE_TOPICS = ["thread:\u00b2", "thread:99999999999999999999", "thread:99999999999",
                  "submission:99999999999999999999", "unit:course-v1:X+Y+Z/\u00b2",
                  "course:\u0000", "course:course-v1:A+B+C:staff\u0000"]


async def test_topics_that_make_an_authorizer_fail_are_denied_and_the_socket_stays_up(
        live_server):
    async with await connect(live_server, "ada@demo.coursewire") as ws:
        raw = [t for t in STRANGE_TOPICS if "\u0000" not in t]  # NUL frames are refused whole
        await ws.send(json.dumps({"subscribe": ["user:me", *raw]}))
        answer = await recv_json(ws)
        assert answer == {"subscribed": ["user:me"], "denied": raw}
        await ws.send(json.dumps({"ping": "still here"}))
        assert await recv_until_json(ws, lambda f: "pong" in f) == {"pong": "still here"}


async def recv_until_json(ws, predicate):
    while True:
        frame = await recv_json(ws)
        if predicate(frame):
            return frame


async def test_cookie_authenticated_event_sockets_must_come_from_our_origin(live_server):
    cookie, _ = session_cookie(live_server.base, "ada@demo.coursewire")
    url = f"{live_server.ws_base}/api/v1/events"
    for origin in ("http://evil.example", None):
        async with websockets.connect(url, additional_headers={"Cookie": cookie},
                                      origin=origin) as ws:
            frame = await recv_json(ws)
            assert frame["error"]["code"] == "permission_denied"
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 4403
    async with websockets.connect(url, additional_headers={"Cookie": cookie},
                                  origin=live_server.base) as ws:
        await ws.send(json.dumps({"subscribe": ["user:me"]}))
        assert (await recv_json(ws))["subscribed"] == ["user:me"]
