"""/api/v1/events: authentication, per-topic authorization, bad frames, live events, replay."""

import json

import httpx
import pytest
import websockets

from app.auth.tokens import issue_token
from tests.support.live import api_token, recv_json

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


@pytest.mark.parametrize("frame", ["not json", "[1,2]", '{"subscribe": "user:me"}',
                                   '{"what": 1}', '{"subscribe": [], "since": -1}',
                                   "x" * 20_000])
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


@pytest.mark.parametrize("token", ["garbage", "expired"])
async def test_invalid_or_expired_tokens_are_refused_with_4401(live_server, token):
    if token == "expired":
        token = issue_token(1, "not-the-server-secret-but-long-enough-000", -10)
    async with websockets.connect(f"{live_server.ws_base}/api/v1/events?token={token}") as ws:
        frame = await recv_json(ws)
        assert frame["error"]["code"] == "not_authenticated"
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
        frame = await recv_json(ws, timeout=5, skip_heartbeats=False)
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
