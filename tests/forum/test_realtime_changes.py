"""Every kind of forum change reaches open sockets live, per audience, with the API contract's
event names: new threads, edits, votes, endorsements, hides, unhides, deletions, lock and close
(asked on a reply), the moderation queue; and thread topics follow the page's visibility."""

from __future__ import annotations

import json
from typing import Any

from tests.forum.live import COURSE, Collector, delivery_barrier, event_socket, page_socket


def _json(frame: str) -> dict[str, Any]:
    try:
        return json.loads(frame)
    except ValueError:
        return {}


_marks: dict[int, int] = {}


def _mark(*socks: Collector) -> None:
    """Frames received so far don't count as the answer to the next action."""
    for sock in socks:
        _marks[id(sock)] = len(sock.frames)


async def _frame(sock: Collector, predicate, timeout: float = 5.0) -> str:
    """The first frame since the socket's last mark that passes `predicate`."""
    return await sock.wait_for(predicate, timeout, start=_marks.get(id(sock), 0))


async def _event(sock: Collector, topic: str, event: str, test=lambda d: True) -> dict:
    """The first JSON frame of `event` on `topic` since the mark whose data passes `test`."""
    frame = await _frame(sock, lambda f: (j := _json(f)).get("event") == event
                         and j.get("topic") == topic and test(j["data"]))
    return json.loads(frame)["data"]


async def test_every_change_reaches_both_audiences_live(forum_server, live_people):
    p = live_people
    forum = f"course:{COURSE}:forum"
    linus_json, _ = await event_socket(forum_server, p["linus"], [forum])
    ta_json, _ = await event_socket(forum_server, p["ta"], [forum, f"course:{COURSE}:staff"])
    t = p["ada"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                     json={"title": "Live changes", "body": "opening",
                           "anonymity": "peers"}).json()
    thread = f"thread:{t['id']}"
    created = await _event(linus_json, forum, "forum.thread.created",
                           lambda d: d.get("thread", {}).get("id") == t["id"])
    assert created["author"] is None and created["author_label"] == "Anonymous"
    created = await _event(ta_json, forum, "forum.thread.created",
                           lambda d: d.get("thread", {}).get("id") == t["id"])
    assert created["author"]["name"] == "Ada Student"

    for sock in (linus_json, ta_json):
        _mark(sock)
        await sock.ws.send(json.dumps({"subscribe": [thread]}))
        await _frame(sock, lambda f: thread in _json(f).get("subscribed", []))
    linus = await page_socket(forum_server, p["linus"], ["user:me", thread, forum])
    ta = await page_socket(forum_server, p["ta"], ["user:me", thread, forum])
    for sock in (linus, ta):
        await _frame(sock, lambda f: f"thread-{t['id']}-head" in f)
    reply = p["ada"].api("POST", f"/api/v1/forum/threads/{t['id']}/posts",
                         json={"body": "first words", "anonymity": "peers"}).json()
    rid = reply["id"]
    article = f'id="post-{rid}"'

    # An edit: the new text on both audiences' pages and in both JSON views.
    _mark(linus, ta, linus_json, ta_json)
    assert p["ada"].api("PATCH", f"/api/v1/forum/posts/{rid}",
                        json={"body": "edited words"}).status_code == 200
    for sock, who in ((linus_json, "student"), (ta_json, "staff")):
        data = await _event(sock, thread, "forum.post.updated",
                            lambda d: d.get("id") == rid and "edited words" in d.get(
                                "body_html", ""))
        assert (data["author"] is None) == (who == "student")
    for sock in (linus, ta):
        await _frame(sock, lambda f: article in f and "edited words" in f)

    # A vote: only the score, for everyone.
    _mark(linus, ta, linus_json, ta_json)
    assert p["margaret"].api("POST", f"/api/v1/forum/posts/{rid}/votes",
                             json={"value": 1}).status_code == 200
    for sock in (linus_json, ta_json):
        data = await _event(sock, thread, "forum.post.updated",
                            lambda d: d.get("id") == rid and "score" in d
                            and "body_html" not in d)
        assert data["score"] == 1
    for sock in (linus, ta):
        await _frame(sock, lambda f: f'id="post-{rid}-score"' in f and ">1<" in f)

    # Endorsement.
    _mark(linus, ta, linus_json, ta_json)
    assert p["ta"].api("POST", f"/api/v1/forum/posts/{rid}/moderation",
                       json={"action": "endorse"}).status_code == 200
    for sock in (linus_json, ta_json):
        await _event(sock, thread, "forum.post.updated",
                     lambda d: d.get("id") == rid and d.get("endorsed") is True)
    for sock in (linus, ta):
        await _frame(sock, lambda f: article in f and "Endorsed by staff" in f)

    # Hide: students keep an empty slot, staff see it marked hidden.
    _mark(linus, ta, linus_json, ta_json)
    assert p["ta"].api("POST", f"/api/v1/forum/posts/{rid}/moderation",
                       json={"action": "hide", "reason": "spoiler"}).status_code == 200
    data = await _event(linus_json, thread, "forum.post.hidden", lambda d: d.get("id") == rid)
    assert "body_html" not in data and data["status"] == "hidden"
    data = await _event(ta_json, thread, "forum.post.hidden", lambda d: d.get("id") == rid)
    assert "edited words" in data["body_html"]
    gone = await _frame(linus, lambda f: f'id="reply-{rid}"' in f and "reply gone" in f)
    assert "edited words" not in gone
    await _frame(ta, lambda f: article in f and "Hidden by a moderator" in f)

    # Unhide: back for everyone.
    _mark(linus, ta, linus_json, ta_json)
    assert p["ta"].api("POST", f"/api/v1/forum/posts/{rid}/moderation",
                       json={"action": "unhide"}).status_code == 200
    for sock in (linus_json, ta_json):
        await _event(sock, thread, "forum.post.updated",
                     lambda d: d.get("id") == rid and "edited words" in d.get("body_html", ""))
    for sock in (linus, ta):
        await _frame(sock, lambda f: article in f and "edited words" in f
                            and "Hidden by a moderator" not in f)

    # Lock and close, asked on the reply: the thread's head and its list row.
    for action, badge in (("lock", "Locked"), ("close", "Closed")):
        _mark(linus, ta, linus_json, ta_json)
        assert p["ta"].api("POST", f"/api/v1/forum/posts/{rid}/moderation",
                           json={"action": action}).status_code == 200
        for sock in (linus_json, ta_json):
            await _event(sock, thread, "forum.post.updated",
                         lambda d, a=action: d.get("id") == t["post_id"]
                         and d.get("thread", {}).get("locked" if a == "lock" else "closed") is True)
        for sock in (linus, ta):
            await _frame(sock, lambda f, b=badge: f'id="thread-{t["id"]}-head"' in f
                                and b in f)
            await _frame(sock, lambda f, b=badge: f'id="thread-row-{t["id"]}"' in f
                                and b in f)

    # Deletion: gone from both audiences.
    _mark(linus, ta, linus_json, ta_json)
    assert p["ta"].api("POST", f"/api/v1/forum/posts/{rid}/moderation",
                       json={"action": "delete"}).status_code == 200
    for sock in (linus_json, ta_json):
        data = await _event(sock, thread, "forum.post.hidden", lambda d: d.get("id") == rid)
        assert data == {"id": rid, "thread_id": t["id"], "status": "deleted"}
    for sock in (linus, ta):
        await _frame(sock, lambda f: f'<div id="reply-{rid}" hx-swap-oob="delete">' in f)

    # The moderation queue, as JSON, for staff only.
    _mark(linus, ta, linus_json, ta_json)
    p["linus"].api("POST", f"/api/v1/forum/posts/{t['post_id']}/flags", json={"reason": "odd"})
    data = await _event(ta_json, f"course:{COURSE}:staff", "forum.moderation.queued",
                        lambda d: d.get("post_id") == t["post_id"])
    assert data["flags"] == 1
    # (t is locked by now: the barrier votes on an open thread of its own.)
    open_thread = p["ta"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                              json={"title": "Barrier", "body": "votes land here"}).json()
    await delivery_barrier(p["ta"], open_thread["post_id"], linus_json)
    assert not any(_json(f).get("event") == "forum.moderation.queued" for f in linus_json.frames)
    for sock in (linus, ta, linus_json, ta_json):
        await sock.close()


async def test_thread_topics_follow_the_pages_visibility(forum_server, live_people):
    p = live_people
    settings = f"/api/v1/courses/{COURSE}/forum/settings"
    assert p["teacher"].api("PUT", settings, json={"moderation": "pre"}).status_code == 200
    try:
        held = p["ada"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                            json={"title": "Held title xyzzy", "body": "wait"}).json()
        assert held["status"] == "pending"
    finally:
        p["teacher"].api("PUT", settings, json={"moderation": "post"})
    topic = f"thread:{held['id']}"
    linus_json, answer = await event_socket(forum_server, p["linus"], [topic])
    assert answer["denied"] == [topic]
    ada_json, answer = await event_socket(forum_server, p["ada"], [topic])
    assert answer["subscribed"] == [topic]
    linus = await page_socket(forum_server, p["linus"], ["user:me", topic])
    ada = await page_socket(forum_server, p["ada"], ["user:me", topic])
    await ada.wait_for(lambda f: "Held title xyzzy" in f)  # her own held thread
    assert p["linus"].page(f"/forum/threads/{held['id']}").status_code == 404
    for key in ("99999999999", "²"):
        _, answer = await event_socket(forum_server, p["linus"], [f"thread:{key}"])
        assert answer["denied"] == [f"thread:{key}"]

    public = p["ada"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                          json={"title": "Public title plugh", "body": "hello"}).json()
    p["margaret"].api("POST", f"/api/v1/forum/threads/{public['id']}/posts",
                      json={"body": "a published reply"})
    ptopic = f"thread:{public['id']}"
    # Every socket also follows an open thread of its own, on which the barrier votes.
    barrier = p["ta"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                          json={"title": "Barrier", "body": "votes land here"}).json()
    btopic = f"thread:{barrier['id']}"
    watching = await page_socket(forum_server, p["linus"], ["user:me", ptopic, btopic])
    await watching.wait_for(lambda f: "Public title plugh" in f)
    for sock in (linus, linus_json):
        start = len(sock.frames)
        await sock.ws.send(json.dumps({"subscribe": [btopic]}))
        await sock.wait_for(lambda f: f"thread-{barrier['id']}-head" in f
                            or btopic in _json(f).get("subscribed", []), start=start)
    seen = len(watching.frames)
    assert p["ta"].api("POST", f"/api/v1/forum/posts/{public['post_id']}/moderation",
                       json={"action": "delete"}).status_code == 200
    await watching.wait_for(lambda f: "This thread is no longer available" in f)
    p["ta"].api("POST", f"/api/v1/forum/threads/{public['id']}/posts",
                json={"body": "staff after deletion"})
    await delivery_barrier(p["ta"], barrier["post_id"], watching, linus, linus_json)
    later = "\n".join(watching.frames[seen:] + linus.frames + linus_json.frames)
    assert "Public title plugh" not in later and "a published reply" not in later
    assert "staff after deletion" not in later and "Held title xyzzy" not in later
    _, answer = await event_socket(forum_server, p["linus"], [ptopic])
    assert answer["denied"] == [ptopic]
    for sock in (linus_json, ada_json, linus, ada, watching):
        await sock.close()


async def test_a_held_edit_reaches_the_queue_live_and_students_only_once_approved(
        forum_server, live_people):
    p = live_people
    settings = f"/api/v1/courses/{COURSE}/forum/settings"
    t = p["teacher"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                         json={"title": "Edits held", "body": "x"}).json()
    post = p["margaret"].api("POST", f"/api/v1/forum/threads/{t['id']}/posts",
                             json={"body": "approved words"}).json()
    thread = f"thread:{t['id']}"
    ta = await page_socket(forum_server, p["ta"], ["user:me", f"course:{COURSE}:staff"])
    linus = await page_socket(forum_server, p["linus"], ["user:me", thread])
    linus_json, _ = await event_socket(forum_server, p["linus"], [thread])
    await linus.wait_for(lambda f: "approved words" in f)
    assert p["teacher"].api("PUT", settings, json={"moderation": "pre"}).status_code == 200
    try:
        _mark(ta, linus, linus_json)
        r = p["margaret"].api("PATCH", f"/api/v1/forum/posts/{post['id']}",
                              json={"body": "replacement words"})
        assert r.status_code == 200 and r.json()["pending_edit"]
        item = await _frame(ta, lambda f: f'id="modq-item-{post["id"]}"' in f
                            and "Edit held for approval" in f)
        assert "replacement words" in item
        await delivery_barrier(p["ta"], t["post_id"], linus, linus_json)
        assert not any("replacement words" in f for f in linus.frames + linus_json.frames)
        assert "replacement words" not in p["linus"].page(f"/forum/threads/{t['id']}").text
        _mark(ta, linus, linus_json)
        assert p["ta"].api("POST", f"/api/v1/forum/posts/{post['id']}/moderation",
                           json={"action": "approve"}).status_code == 200
        await _frame(linus, lambda f: f'id="post-{post["id"]}"' in f
                     and "replacement words" in f)
        await _event(linus_json, thread, "forum.post.updated",
                     lambda d: "replacement words" in d.get("body_html", ""))
        await _frame(ta, lambda f: f'id="modq-item-{post["id"]}"' in f
                     and 'hx-swap-oob="delete"' in f)
    finally:
        p["teacher"].api("PUT", settings, json={"moderation": "post"})
        for sock in (ta, linus, linus_json):
            await sock.close()
