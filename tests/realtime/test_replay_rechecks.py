"""Replay (`since`) re-checks each event (issue 12): a deleted or hidden post is not replayed
to whoever may not see it now, an edited one is replayed as it reads now; the event log is
pruned after its retention and a `since` older than the kept log gets `resync.required`."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

import pytest
import websockets
from tortoise import Tortoise

from core.clock import now
from core.settings import load_settings
from courses.service import set_member_role
from forum import moderation, posts, threads
from models.db import tortoise_config
from models.events import Event, PrunedEvents
from realtime.relay import prune_events, pruned_through
from realtime.replay import replay_frames
from tests.forum.conftest import Cast, make_cast
from tests.support.live import api_token, recv_json, recv_until, session_cookie
from tests.support.people import person

SECRET = "the answer key is 42"


@pytest.fixture
async def cast(db) -> Cast:
    return await make_cast()


async def _replayed(user, topics: dict[str, str], since: int = 0) -> list[dict]:
    frames, _last = await replay_frames(user, topics, since)
    return [json.loads(f) for f in frames]


def _text(frames: list[dict]) -> str:
    return json.dumps(frames)


async def test_a_deleted_post_is_not_replayed_to_a_newly_enrolled_student(cast):
    thread = await threads.create_thread(cast.ada, cast.course.id, "Homework", "Help?")
    reply = await posts.create_post(cast.bob, thread.id, SECRET)
    # Before deletion, replay carries it (the detector works).
    assert SECRET in _text(await _replayed(cast.cy, {f"thread:{thread.id}": "student"}))
    await moderation.moderate(cast.ta, reply.id, "delete", "spoiler")
    newbie = await person("newbie@example.org")
    await set_member_role(cast.teacher, cast.course.id, newbie.id, "student")
    for topics in ({f"thread:{thread.id}": "student"},
                   {f"course:{cast.course.id}:forum": "student"}):
        frames = await _replayed(newbie, topics)
        assert SECRET not in _text(frames), topics
    # Staff don't get a deleted post's text either.
    assert SECRET not in _text(await _replayed(cast.ta, {f"thread:{thread.id}": "staff"}))


async def test_a_hidden_post_is_replayed_to_staff_only(cast):
    thread = await threads.create_thread(cast.ada, cast.course.id, "Exam", "When?")
    reply = await posts.create_post(cast.bob, thread.id, SECRET)
    await moderation.moderate(cast.ta, reply.id, "hide", "off topic")
    topic = f"thread:{thread.id}"
    assert SECRET not in _text(await _replayed(cast.cy, {topic: "student"}))
    assert SECRET in _text(await _replayed(cast.ta, {topic: "staff"}))


async def test_an_edited_post_is_replayed_as_it_reads_now(cast):
    thread = await threads.create_thread(cast.ada, cast.course.id, "Typo", "first words")
    reply = await posts.create_post(cast.bob, thread.id, "I wrote something rude")
    await posts.edit_post(cast.bob, reply.id, "I wrote something kind")
    text = _text(await _replayed(cast.cy, {f"thread:{thread.id}": "student"}))
    assert "rude" not in text and "kind" in text


async def test_old_events_are_pruned_and_an_older_since_must_resync(cast):
    thread = await threads.create_thread(cast.ada, cast.course.id, "Old", "old news")
    topic = f"thread:{thread.id}"
    old = await Event.filter(topic=topic).order_by("id").values_list("id", flat=True)
    await Event.all().update(created_at=now() - timedelta(days=8))
    await posts.create_post(cast.bob, thread.id, "fresh news")
    newest = await Event.all().order_by("-id").first()
    assert await prune_events(timedelta(days=7)) > 0
    assert not await Event.filter(id__in=old).exists()
    assert await Event.filter(id=newest.id).exists()  # the newest is always kept
    through = await pruned_through()
    assert through >= max(old)
    frames = await _replayed(cast.cy, {topic: "student"}, since=min(old) - 1)
    assert frames == [{"event": "resync.required",
                       "data": {"reason": "pruned", "retained_from_seq": through + 1}}]
    frames = await _replayed(cast.cy, {topic: "student"}, since=through)
    assert frames and "fresh news" in _text(frames)
    assert all(f.get("event") != "resync.required" for f in frames)
    # Pruning again (another process, the next hour) is harmless.
    await prune_events(timedelta(days=7))
    assert await pruned_through() == through


async def test_retention_comes_from_the_settings_module(tmp_path):
    assert load_settings({"COURSEWIRE_DATA_DIR": str(tmp_path)}).event_retention_days == 7
    settings = load_settings({"COURSEWIRE_DATA_DIR": str(tmp_path),
                              "COURSEWIRE_EVENT_RETENTION_DAYS": "2.5"})
    assert settings.event_retention_days == 2.5
    for bad in ("0", "-1", "soon", "nan", "inf"):
        try:
            load_settings({"COURSEWIRE_DATA_DIR": str(tmp_path),
                           "COURSEWIRE_EVENT_RETENTION_DAYS": bad})
        except ValueError as exc:
            assert "COURSEWIRE_EVENT_RETENTION_DAYS" in str(exc)
        else:
            raise AssertionError(f"{bad!r} accepted")


# ---- on the wire: both sockets say resync.required for a `since` past the kept log -------

async def _mark_pruned(server, through: int) -> None:
    await Tortoise.init(config=tortoise_config(server.env["DATABASE_URL"]))
    try:
        await PrunedEvents.update_or_create(id=1, defaults={"through_seq": through})
    finally:
        await Tortoise.close_connections()


async def test_a_since_past_the_kept_log_gets_resync_required_on_both_sockets(live_server):
    course = "course-v1:Coursewire+PY101+2026"
    await _mark_pruned(live_server, 10_000_000)
    tok = api_token(live_server.base, "ada@demo.coursewire")
    async with websockets.connect(f"{live_server.ws_base}/api/v1/events?token={tok}") as ws:
        await ws.send(json.dumps({"subscribe": [f"course:{course}"], "since": 5}))
        assert (await recv_json(ws))["subscribed"] == [f"course:{course}"]
        assert await recv_json(ws) == {"event": "resync.required", "data": {
            "reason": "pruned", "retained_from_seq": 10_000_001}}
    cookie, _ = session_cookie(live_server.base, "ada@demo.coursewire")
    url = f"{live_server.ws_base}/ws?topics={quote(f'course:{course}', safe='')}&since=5"
    async with websockets.connect(url, additional_headers={"Cookie": cookie},
                                  origin=live_server.base) as ws:
        frame = await recv_until(ws, lambda f: "resync.required" in f)
        assert json.loads(frame)["data"]["reason"] == "pruned"
        # ...and the page's regions come fresh, which is the full resync.
        await recv_until(ws, lambda f: "hx-swap-oob" in f)
    await _mark_pruned(live_server, 0)
