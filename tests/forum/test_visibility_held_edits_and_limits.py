"""Who may follow a thread's topic, held edits under pre-moderation, duplicates and
idempotency keys scoped to their place, rejected posts shown to their author, frames
limited to what changed, bans and limits."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import Conflict, InvalidState, NotFound, PermissionDenied, RateLimited
from core.ratelimit import MemoryRateLimiter
from forum import events, fragments, list_events, moderation, resync, threads
from forum.anonymity import STAFF, Viewer
from forum.flags import flag_post
from forum.posts import create_post, edit_post
from forum.queries import audit_log, build_page, list_threads, moderation_queue, thread_posts
from forum.settings import update_forum_settings
from forum.threads import create_thread
from forum.votes import vote
from models.forum import ModerationAction, Post, PostRevision, PostStatus, Thread
from realtime.topics import Topic


@pytest.fixture
def frames(monkeypatch) -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
    """Every frame the forum publishes, as (topic, event, data, html), in order."""
    sent: list[tuple[str, str, dict[str, Any], dict[str, str]]] = []
    original = events.publish

    async def recording(topic, event, data, html=None):
        sent.append((topic, event, data, html or {}))
        return await original(topic, event, data, html)

    for module in (events, list_events):  # the modules that publish forum frames
        monkeypatch.setattr(module, "publish", recording)
    return sent


def _thread_topic(thread_id: object) -> Topic:
    return Topic(f"thread:{thread_id}", "thread", str(thread_id))


async def _page(thread_id: int, viewer: Viewer):
    thread = await Thread.get(id=thread_id).prefetch_related("topic")
    return build_page(thread, await thread_posts(thread_id), viewer)


# ---- 1. thread:<id> follows the page's visibility ----------------------------------------------

async def test_students_cannot_follow_a_held_or_deleted_thread_live(cast, frames):
    await update_forum_settings(cast.teacher, cast.course.id, moderation="pre")
    held = await create_thread(cast.ada, cast.course.id, "Held secret title", "b")
    topic = _thread_topic(held.id)
    assert await resync.authorize_thread(topic, cast.bob) is None
    assert await resync.authorize_thread(topic, cast.ada) == "student"  # her own
    assert await resync.authorize_thread(topic, cast.ta) == "staff"
    # A staff reply in the held thread: no student-audience frame on its topic carries it;
    # its author gets her own view on her topic.
    await create_post(cast.ta, held.id, "staff note")
    shared = [f for f in frames if f[0] == f"thread:{held.id}"]
    assert shared and all("student" not in f[2] and "student" not in f[3] for f in shared)
    assert any(f[0] == f"user:{cast.ada.id}" and "staff note" in f[3].get("self", "")
               for f in frames)

    await update_forum_settings(cast.teacher, cast.course.id, moderation="post")
    public = await create_thread(cast.ada, cast.course.id, "Soon deleted title", "b")
    await create_post(cast.cy, public.id, "published reply")
    topic = _thread_topic(public.id)
    assert await resync.authorize_thread(topic, cast.bob) == "student"
    root = await Post.get(thread_id=public.id, depth=0)
    frames.clear()
    await moderation.moderate(cast.ta, root.id, "delete", "gone")
    student_html = [f[3]["student"] for f in frames
                    if f[0] == f"thread:{public.id}" and "student" in f[3]]
    assert student_html == [fragments.thread_gone(public.id)]
    assert "Soon deleted title" not in student_html[0]
    assert await resync.authorize_thread(topic, cast.bob) is None
    resent = await resync.resync_thread(topic, cast.bob, "student")
    assert "Soon deleted title" not in resent and "published reply" not in resent
    # Later frames on the thread reach no student either.
    frames.clear()
    await create_post(cast.ta, public.id, "after the deletion")
    assert all("student" not in f[2] and "student" not in f[3]
               for f in frames if f[0] == f"thread:{public.id}")


async def test_thread_topic_ids_are_parsed_not_crashed_on(cast):
    for key in ("99999999999", "²", "0", "-1", "1e3"):
        assert await resync.authorize_thread(_thread_topic(key), cast.bob) is None
        assert await resync.resync_thread(_thread_topic(key), cast.bob, "student") == ""
    for key in ("99999999999", "²"):
        with pytest.raises(NotFound):
            await moderation.reveal_author(cast.admin, key, "why")


# ---- 2. pre-moderation holds edits too ---------------------------------------------------------

async def test_pre_moderated_edit_is_held_until_approved(cast, frames):
    thread = await create_thread(cast.teacher, cast.course.id, "Q", "b")
    await update_forum_settings(cast.teacher, cast.course.id, moderation="pre")
    post = await create_post(cast.bob, thread.id, "approved text")
    await moderation.moderate(cast.ta, post.id, "approve")
    frames.clear()
    edited = await edit_post(cast.bob, post.id, "sneaky new text")
    assert edited.body_md == "approved text" and edited.pending_body_md == "sneaky new text"
    cy_view = (await _page(thread.id, Viewer("student", cast.cy.id))).replies[0]
    assert "approved text" in cy_view.body_html and cy_view.pending_edit_html is None
    own = (await _page(thread.id, Viewer("student", cast.bob.id))).replies[0]
    assert "sneaky" in own.pending_edit_html and own.body_md == "sneaky new text"
    # Nothing shared carries the held text; the queue gets it live.
    assert all("sneaky" not in str(f[2].get("student")) + f[3].get("student", "")
               for f in frames)
    queued = [f for f in frames if f[1] == "forum.moderation.queued"]
    assert queued and "sneaky new text" in queued[-1][3]["staff"]
    [item] = await moderation_queue(cast.course.id, STAFF)
    assert item.edit_pending and not item.pending
    await moderation.moderate(cast.ta, post.id, "approve")
    fresh = await Post.get(id=post.id)
    assert fresh.body_md == "sneaky new text" and fresh.pending_body_md is None
    assert [r.body_md for r in await PostRevision.filter(post_id=post.id)] == ["approved text"]
    assert await moderation_queue(cast.course.id, STAFF) == []
    # A rejected edit leaves the approved text in place and tells the author why.
    await edit_post(cast.bob, post.id, "another try")
    await moderation.moderate(cast.ta, post.id, "reject", "keep it civil")
    fresh = await Post.get(id=post.id)
    assert fresh.body_md == "sneaky new text" and fresh.pending_body_md is None
    assert fresh.status == PostStatus.PUBLISHED
    decision = [f for f in frames if f[1] == "forum.moderation.decision"][-1]
    assert decision[2]["self"]["edit"] is True and "keep it civil" in decision[3]["self"]
    actions = await ModerationAction.filter(post_id=post.id).values_list("action", flat=True)
    assert "approve_edit" in actions and "reject_edit" in actions
    # Staff edits are not held.
    note = await create_post(cast.ta, thread.id, "staff text")
    assert (await edit_post(cast.ta, note.id, "staff edit")).body_md == "staff edit"


# ---- 3 and 8. duplicates and idempotency keys ----------------------------------------------------

async def test_a_thread_key_racing_in_twice_returns_the_first_thread(cast, monkeypatch):
    first = await create_thread(cast.bob, cast.course.id, "T", "b",
                                        idempotency_key="race-1")

    async def none(*args, **kwargs):  # both requests passed the check before either wrote
        return None

    monkeypatch.setattr(threads, "replayed", none)
    monkeypatch.setattr(threads, "recent_duplicate", none)
    again = await create_thread(cast.bob, cast.course.id, "T", "b",
                                        idempotency_key="race-1")
    assert again.id == first.id
    assert await Thread.filter(course_id=cast.course.id).count() == 1


async def test_duplicate_protection_is_scoped_to_the_same_place(cast):
    thread = await create_thread(cast.ta, cast.course.id, "Q", "b")
    r1 = await create_post(cast.bob, thread.id, "+1")
    r2 = await create_post(cast.cy, thread.id, "answer")
    # The same short body, seconds apart, under two different replies: two comments.
    c1 = await create_post(cast.bob, thread.id, "me too", parent_id=r1.id)
    c2 = await create_post(cast.bob, thread.id, "me too", parent_id=r2.id)
    assert c1.id != c2.id
    assert (await create_post(cast.bob, thread.id, "me too", parent_id=r1.id)).id == c1.id
    # Two threads with one body and different titles are two threads; the same title is one.
    a = await create_thread(cast.bob, cast.course.id, "Week 1", "Question?")
    b = await create_thread(cast.bob, cast.course.id, "Week 2", "Question?")
    c = await create_thread(cast.bob, cast.course.id, "Week 2", "Question?")
    assert a.id != b.id and b.id == c.id
    # A key is the author's: another author's same key is theirs, and reusing one's own key
    # somewhere else is a conflict, not the other post.
    k1 = await create_post(cast.bob, thread.id, "x", idempotency_key="k")
    k2 = await create_post(cast.cy, thread.id, "x", idempotency_key="k")
    assert k1.id != k2.id
    with pytest.raises(Conflict):
        await create_post(cast.bob, a.id, "y", idempotency_key="k")
    with pytest.raises(Conflict):
        await create_thread(cast.bob, cast.course.id, "New", "z", idempotency_key="k")


# ---- 5. thread-wide actions asked on a reply -----------------------------------------------------

async def test_lock_and_close_asked_on_a_reply_update_the_thread_head_and_rows(cast, frames):
    thread = await create_thread(cast.ada, cast.course.id, "Lockable", "b")
    reply = await create_post(cast.bob, thread.id, "reply")
    for action, badge in (("lock", "Locked"), ("close", "Closed")):
        frames.clear()
        await moderation.moderate(cast.ta, reply.id, action)
        head = [f for f in frames if f[0] == f"thread:{thread.id}"]
        assert head and all(f'id="thread-{thread.id}-head"' in f[3][a] and badge in f[3][a]
                            for f in head for a in ("student", "staff"))
        rows = [f for f in frames if f[0] == f"course:{cast.course.id}:forum"]
        assert rows and all(f'id="thread-row-{thread.id}"' in f[3][a] and badge in f[3][a]
                            for f in rows for a in ("student", "staff"))


# ---- 7. rejected posts stay visible to their author --------------------------------------------

async def test_rejected_post_shows_to_its_author_only_with_the_reason(cast, frames):
    await update_forum_settings(cast.teacher, cast.course.id, moderation="pre")
    thread = await create_thread(cast.teacher, cast.course.id, "Q", "b")
    held = await create_post(cast.bob, thread.id, "my held reply")
    frames.clear()
    await moderation.moderate(cast.ta, held.id, "reject", "please cite a source")
    # Live: his open page keeps the reply, now marked rejected with the reason; the staff
    # frame removes it.
    own = [f[3]["self"] for f in frames if f[0] == f"user:{cast.bob.id}"
           and f'id="reply-{held.id}"' in f[3].get("self", "")]
    assert own and "Rejected by a moderator: please cite a source" in own[0]
    assert 'hx-swap-oob="delete"' not in own[0]
    staff = next(f[3]["staff"] for f in frames if f[0] == f"thread:{thread.id}")
    assert staff.startswith(fragments.delete(f"reply-{held.id}"))
    own = (await _page(thread.id, Viewer("student", cast.bob.id))).replies
    assert [r.id for r in own] == [held.id]
    assert own[0].status == "rejected" and own[0].moderation_reason == "please cite a source"
    assert (await _page(thread.id, Viewer("student", cast.cy.id))).replies == []
    assert (await _page(thread.id, STAFF)).replies == []
    held_thread = await create_thread(cast.bob, cast.course.id, "My thread", "b")
    root = await Post.get(thread_id=held_thread.id, depth=0)
    await moderation.moderate(cast.ta, root.id, "reject", "duplicate of another")
    mine = await list_threads(cast.course.id, Viewer("student", cast.bob.id), mine=True)
    row = next(t for t in mine if t.id == held_thread.id)
    assert row.status == "rejected" and row.root.moderation_reason == "duplicate of another"
    assert "duplicate of another" in fragments.row(row, scope="mine")
    everyone = await list_threads(cast.course.id, Viewer("student", cast.cy.id))
    assert held_thread.id not in {t.id for t in everyone}


# ---- 11. frames only for what changed ----------------------------------------------------------

async def test_a_vote_sends_only_the_score_and_the_voters_own_marks(cast, frames):
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b")
    reply = await create_post(cast.bob, thread.id, "good answer")
    frames.clear()
    await vote(cast.cy, reply.id, True)
    topics = [f[0] for f in frames]
    assert topics == [f"thread:{thread.id}", f"user:{cast.cy.id}"]
    _, event, data, html = frames[0]
    assert event == "forum.post.updated" and data["student"] == {
        "id": reply.id, "thread_id": thread.id, "score": 1}
    assert html["student"] == fragments.score(reply.id, 1) == html["staff"]
    assert "<article" not in html["student"]
    assert f"#vote-{reply.id} .voted-mark{{display:inline}}" in frames[1][3]["self"]
    assert frames[1][2]["self"]["voted"] is True
    root = await Post.get(thread_id=thread.id, depth=0)
    frames.clear()
    await vote(cast.cy, root.id, True)  # the opening post: its rows' score too
    assert [f[0] for f in frames] == [f"thread:{thread.id}", f"course:{cast.course.id}:forum",
                                      f"user:{cast.cy.id}"]
    assert f'id="thread-row-{thread.id}-score"' in frames[1][3]["student"]


async def test_a_new_reply_re_renders_my_posts_only_for_its_author_and_the_starter(cast,
                                                                                   frames):
    thread = await create_thread(cast.ada, cast.course.id, "Busy", "b")
    for person in (cast.bob, cast.cy, cast.ta):
        await create_post(person, thread.id, f"reply by {person.name}")
    frames.clear()
    await create_post(cast.bob, thread.id, "another one")
    my_lists = {f[0] for f in frames if 'id="forum-threads-' in f[3].get("self", "")
                and "-mine" in f[3].get("self", "")}
    assert my_lists == {f"user:{cast.bob.id}", f"user:{cast.ada.id}"}
    # Everyone else's "My posts" row moves up through the shared frame, where it exists.
    shared = next(f for f in frames if f[0] == f"course:{cast.course.id}:forum")
    mine_row = fragments.thread_row_id(thread.id, "mine")
    assert f':has(#{mine_row})' in shared[3]["student"]


# ---- 12. smaller ones ---------------------------------------------------------------------------

async def test_a_ta_cannot_ban_an_instructor(cast):
    with pytest.raises(PermissionDenied):
        await moderation.ban_from_posting(cast.ta, cast.course.id, hours=1, reason="x",
                                          user_id=cast.teacher.id)
    thread = await create_thread(cast.teacher, cast.course.id, "Q", "b")
    root = await Post.get(thread_id=thread.id, depth=0)
    with pytest.raises(PermissionDenied):
        await moderation.ban_from_posting(cast.ta, cast.course.id, hours=1, reason="x",
                                          post_id=root.id)
    ban = await moderation.ban_from_posting(cast.teacher, cast.course.id, hours=1,
                                            reason="x", user_id=cast.ta.id)
    assert ban.user_id == cast.ta.id


async def test_edits_and_reports_are_rate_limited_on_their_own(cast):
    limiter = MemoryRateLimiter()
    thread = await create_thread(cast.ta, cast.course.id, "Q", "b")
    post = await create_post(cast.bob, thread.id, "v0")
    for n in range(2):
        await edit_post(cast.bob, post.id, f"v{n + 1}", limiter=limiter, per_minute=2)
    with pytest.raises(RateLimited, match="editing too fast"):
        await edit_post(cast.bob, post.id, "v3", limiter=limiter, per_minute=2)
    posts = [await create_post(cast.cy, thread.id, f"c{n}") for n in range(3)]
    for p in posts[:2]:
        await flag_post(cast.bob, p.id, "spam", limiter=limiter, per_minute=2)
    with pytest.raises(RateLimited, match="reporting too fast"):
        await flag_post(cast.bob, posts[2].id, "spam", limiter=limiter, per_minute=2)
    # Replying has its own budget still.
    await create_post(cast.bob, thread.id, "still can reply", limiter=limiter,
                              per_minute=2)


async def test_audit_log_covers_decisions_bans_and_claims(cast):
    await update_forum_settings(cast.teacher, cast.course.id, moderation="pre")
    thread = await create_thread(cast.teacher, cast.course.id, "Q", "b")
    approved = await create_post(cast.bob, thread.id, "ok")
    rejected = await create_post(cast.cy, thread.id, "not ok")
    await moderation.claim(cast.ta, approved.id)
    await moderation.moderate(cast.ta, approved.id, "approve")
    await moderation.moderate(cast.ta, rejected.id, "reject", "off topic")
    await flag_post(cast.cy, approved.id, "rude")
    await moderation.moderate(cast.ta, approved.id, "dismiss")
    await moderation.ban_from_posting(cast.ta, cast.course.id, hours=1, reason="spam",
                                      post_id=rejected.id)
    log = await audit_log(cast.teacher, cast.course.id)
    by_ta = [(row["action"], row["post_id"]) for row in reversed(log)
             if row["actor"] and row["actor"]["id"] == cast.ta.id]
    assert by_ta == [("claim", approved.id), ("approve", approved.id),
                     ("reject", rejected.id), ("dismiss", approved.id), ("ban", rejected.id)]
    reasons = {row["action"]: row["reason"] for row in log}
    assert reasons["reject"] == "off topic" and "spam" in reasons["ban"]
    with pytest.raises(InvalidState):  # decided items can't be decided twice
        await moderation.moderate(cast.ta, rejected.id, "approve")
