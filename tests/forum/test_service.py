"""Forum actions at the service level: anonymity, moderation, bans, limits, duplicates."""

from datetime import timedelta

import pytest

from core.errors import BadInput, Conflict, InvalidState, PermissionDenied, RateLimited
from core.ratelimit import MemoryRateLimiter
from forum import moderation
from forum.access import viewer_in
from forum.anonymity import STAFF, STUDENT, Viewer
from forum.posting import MAX_BODY
from forum.posts import create_post, edit_post
from forum.presenters import post_json, present_post
from forum.queries import audit_log, build_page, list_threads, moderation_queue, thread_posts
from forum.settings import update_forum_settings
from forum.threads import create_thread
from forum.votes import vote
from models.events import Event
from models.forum import Ban, ModerationAction, Post, PostRevision, PostStatus, Thread


async def _post(post_id: int) -> Post:
    return await Post.get(id=post_id).prefetch_related("author", "thread")


async def test_anonymous_post_hides_author_from_students_but_not_staff(cast):
    thread = await create_thread(cast.ada, cast.course.id, "Q", "body", "peers")
    root = await _post((await Post.get(thread_id=thread.id, depth=0)).id)
    student = post_json(present_post(root, Viewer("student", cast.bob.id)))
    staff = post_json(present_post(root, Viewer("staff", cast.ta.id)))
    mine = post_json(present_post(root, Viewer("student", cast.ada.id)))
    assert student["author"] is None and student["author_label"] == "Anonymous"
    assert staff["author"] == {"id": cast.ada.id, "name": "Ada Hiddenname"}
    assert mine["author_label"] == "you (anonymous)" and mine["is_mine"]
    assert "is_mine" not in student and "body" not in student


async def test_anonymous_to_all_hides_author_from_staff_too(cast):
    await update_forum_settings(cast.teacher, cast.course.id, "all")
    thread = await create_thread(cast.ada, cast.course.id, "Q", "body", "all")
    root = await _post((await Post.get(thread_id=thread.id, depth=0)).id)
    for viewer in (STUDENT, STAFF, Viewer("staff", cast.teacher.id)):
        view = post_json(present_post(root, viewer))
        assert view["author"] is None and view["author_label"] == "Anonymous"


async def test_course_setting_caps_anonymity_and_later_changes_never_reveal(cast):
    with pytest.raises(BadInput):  # default ceiling is peers
        await create_thread(cast.ada, cast.course.id, "Q", "b", "all")
    await update_forum_settings(cast.teacher, cast.course.id, "all")
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b", "all")
    await update_forum_settings(cast.teacher, cast.course.id, "none")
    root = await _post((await Post.get(thread_id=thread.id, depth=0)).id)
    assert root.anonymity == "all"
    assert post_json(present_post(root, STAFF))["author"] is None
    with pytest.raises(BadInput):
        await create_post(cast.bob, thread.id, "x", "peers")


async def test_anonymous_timestamps_are_minutes_only(cast):
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b", "peers")
    root = await _post((await Post.get(thread_id=thread.id, depth=0)).id)
    view = present_post(root, STUDENT)
    assert view.created_at.second == 0 and view.created_at.microsecond == 0


async def test_my_posts_filter_is_only_ever_the_viewers_own(cast):
    await create_thread(cast.ada, cast.course.id, "Ada's", "b", "peers")
    await create_thread(cast.bob, cast.course.id, "Bob's", "b2", "none")
    bob = await viewer_in(cast.bob, cast.course.id)
    ada = await viewer_in(cast.ada, cast.course.id)
    assert [t.title for t in await list_threads(cast.course.id, bob, mine=True)] == ["Bob's"]
    assert [t.title for t in await list_threads(cast.course.id, ada, mine=True)] == ["Ada's"]


async def test_replies_and_comments_nest_one_level(cast):
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b")
    reply = await create_post(cast.bob, thread.id, "reply")
    comment = await create_post(cast.cy, thread.id, "comment", parent_id=reply.id)
    deeper = await create_post(cast.ada, thread.id, "re: comment", parent_id=comment.id)
    assert (reply.depth, comment.depth, deeper.depth) == (1, 2, 2)
    assert deeper.parent_id == reply.id
    page = build_page(await Thread.get(id=thread.id).prefetch_related("topic"),
                      await thread_posts(thread.id), STUDENT)
    assert [r.id for r in page.replies] == [reply.id]
    assert [c.id for c in page.replies[0].comments] == [comment.id, deeper.id]


async def test_staff_open_a_topic_on_first_use_and_students_file_under_it(cast):
    opened = await create_thread(cast.ta, cast.course.id, "Unit 3 threads", "a",
                                         topic_id="unit-3 loops")
    assert opened.topic.key == "unit-3 loops"
    thread = await create_thread(cast.bob, cast.course.id, "Unit 3?", "b",
                                         topic_id="unit-3 loops")
    again = await create_thread(cast.cy, cast.course.id, "More", "c",
                                        topic_id="unit-3 loops")
    assert thread.topic_id == again.topic_id == opened.topic_id


async def test_edit_keeps_history_without_an_editor(cast):
    thread = await create_thread(cast.ada, cast.course.id, "Q", "first", "peers")
    root = await Post.get(thread_id=thread.id, depth=0)
    with pytest.raises(PermissionDenied):
        await edit_post(cast.bob, root.id, "hijack")
    await edit_post(cast.ada, root.id, "second")
    revisions = await PostRevision.filter(post_id=root.id)
    assert [r.body_md for r in revisions] == ["first"]
    assert not hasattr(revisions[0], "editor_id")


async def test_votes_toggle_and_endorsement_by_staff_only(cast):
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b")
    reply = await create_post(cast.bob, thread.id, "answer")
    assert (await vote(cast.cy, reply.id)).score == 1
    assert (await vote(cast.ada, reply.id, True)).score == 2
    assert (await vote(cast.ada, reply.id, True)).score == 2
    assert (await vote(cast.cy, reply.id)).score == 1
    with pytest.raises(PermissionDenied):
        await moderation.moderate(cast.cy, reply.id, "endorse")
    assert (await moderation.moderate(cast.ta, reply.id, "endorse")).endorsed


async def test_pre_moderation_holds_posts_until_approved_and_tells_the_author(cast):
    await update_forum_settings(cast.teacher, cast.course.id, moderation="pre")
    thread = await create_thread(cast.teacher, cast.course.id, "Q", "b")
    held = await create_post(cast.bob, thread.id, "please approve", "peers")
    assert held.status == PostStatus.PENDING
    posts = await thread_posts(thread.id)
    thread_obj = await Thread.get(id=thread.id).prefetch_related("topic")
    assert build_page(thread_obj, posts, Viewer("student", cast.cy.id)).replies == []
    assert [r.id for r in build_page(thread_obj, posts, STAFF).replies] == [held.id]
    queue = await moderation_queue(cast.course.id, STAFF)
    assert [i.post.id for i in queue] == [held.id]
    assert queue[0].post.author_label.startswith("Bob Student")
    with pytest.raises(BadInput):
        await moderation.moderate(cast.ta, held.id, "reject")  # reason required
    await moderation.moderate(cast.ta, held.id, "reject", "off topic")
    decision = await Event.filter(topic=f"user:{cast.bob.id}",
                                  name="forum.moderation.decision").first()
    assert decision.data_by_audience["self"]["reason"] == "off topic"
    assert await moderation_queue(cast.course.id, STAFF) == []


async def test_two_tas_cannot_act_on_the_same_claimed_item(cast):
    await update_forum_settings(cast.teacher, cast.course.id, moderation="pre")
    thread = await create_thread(cast.teacher, cast.course.id, "Q", "b")
    held = await create_post(cast.bob, thread.id, "hold me")
    await moderation.claim(cast.ta, held.id)
    with pytest.raises(Conflict):
        await moderation.claim(cast.teacher, held.id)
    with pytest.raises(Conflict):
        await moderation.moderate(cast.teacher, held.id, "approve")
    await moderation.moderate(cast.ta, held.id, "approve")
    with pytest.raises(InvalidState):  # already decided
        await moderation.moderate(cast.teacher, held.id, "approve")
    claimed = await Event.filter(topic=f"course:{cast.course.id}:staff",
                                 name="forum.moderation.claimed").first()
    assert claimed.data_by_audience["staff"]["claimed_by"] == "Tom Assistant"


async def test_every_moderation_action_is_audited(cast):
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b")
    reply = await create_post(cast.bob, thread.id, "r")
    root = await Post.get(thread_id=thread.id, depth=0)
    for action in ("hide", "unhide", "endorse", "delete"):
        await moderation.moderate(cast.ta, reply.id, action)
    for action in ("pin", "lock", "unlock", "close", "reopen", "unpin"):
        await moderation.moderate(cast.ta, root.id, action)
    actions = await ModerationAction.filter(course_id=cast.course.id, actor_id=cast.ta.id
                                            ).values_list("action", flat=True)
    assert list(actions) == ["hide", "unhide", "endorse", "delete", "pin", "lock", "unlock",
                             "close", "reopen", "unpin"]


async def test_hidden_posts_leave_only_an_empty_slot_for_students(cast):
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b")
    reply = await create_post(cast.bob, thread.id, "secret words", "peers")
    await moderation.moderate(cast.ta, reply.id, "hide", "spoiler")
    posts = await thread_posts(thread.id)
    thread_obj = await Thread.get(id=thread.id).prefetch_related("topic")
    student = build_page(thread_obj, posts, Viewer("student", cast.cy.id)).replies[0]
    assert student.placeholder and student.body_html == "" and student.author is None
    own = build_page(thread_obj, posts, Viewer("student", cast.bob.id)).replies[0]
    assert not own.placeholder and own.moderation_reason == "spoiler"


async def test_locked_thread_refuses_student_posts(cast):
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b")
    root = await Post.get(thread_id=thread.id, depth=0)
    await moderation.moderate(cast.ta, root.id, "lock")
    with pytest.raises(InvalidState):
        await create_post(cast.bob, thread.id, "too late")
    assert (await create_post(cast.ta, thread.id, "staff note")).depth == 1


async def test_banned_member_cannot_post_until_the_ban_ends(cast):
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b", "peers")
    reply = await create_post(cast.bob, thread.id, "spam", "peers")
    ban = await moderation.ban_from_posting(cast.ta, cast.course.id, hours=2, reason="spam",
                                            post_id=reply.id)
    assert ban.user_id == cast.bob.id
    with pytest.raises(PermissionDenied, match="spam"):
        await create_post(cast.bob, thread.id, "more spam")
    await Ban.filter(id=ban.id).update(until=ban.until - timedelta(hours=3))
    assert (await create_post(cast.bob, thread.id, "sorry")).id
    with pytest.raises(PermissionDenied):
        await moderation.ban_from_posting(cast.cy, cast.course.id, hours=1, reason="x",
                                          user_id=cast.bob.id)


async def test_ban_by_post_of_author_anonymous_to_all_does_not_name_them(cast):
    await update_forum_settings(cast.teacher, cast.course.id, "all")
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b", "all")
    root = await Post.get(thread_id=thread.id, depth=0)
    ban = await moderation.ban_from_posting(cast.teacher, cast.course.id, hours=1,
                                            reason="abuse", post_id=root.id)
    assert moderation.ban_json(ban, root)["user_id"] is None
    log = await audit_log(cast.teacher, cast.course.id)
    assert all("target_user_id" not in row for row in log)


async def test_admin_reveal_is_audited_and_others_cannot(cast):
    await update_forum_settings(cast.teacher, cast.course.id, "all")
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b", "all")
    root = await Post.get(thread_id=thread.id, depth=0)
    for who in (cast.teacher, cast.ta):
        with pytest.raises(PermissionDenied):
            await moderation.reveal_author(who, root.id, "why")
    with pytest.raises(BadInput):
        await moderation.reveal_author(cast.admin, root.id, "")
    revealed = await moderation.reveal_author(cast.admin, root.id, "harassment report #12")
    assert revealed["author"]["id"] == cast.ada.id
    row = await ModerationAction.get(action="reveal")
    assert row.actor_id == cast.admin.id and row.reason == "harassment report #12"
    assert not await Event.filter(name__contains="reveal").exists()


async def test_posting_rate_limit_per_user(cast):
    limiter = MemoryRateLimiter()
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b")
    for i in range(3):
        await create_post(cast.bob, thread.id, f"p{i}", limiter=limiter, per_minute=3)
    with pytest.raises(RateLimited, match="too fast") as err:
        await create_post(cast.bob, thread.id, "p4", limiter=limiter, per_minute=3)
    assert err.value.status == 429
    await create_post(cast.cy, thread.id, "other user", limiter=limiter, per_minute=3)


async def test_duplicate_submits_make_one_post(cast):
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b")
    a = await create_post(cast.bob, thread.id, "same", idempotency_key="k1")
    b = await create_post(cast.bob, thread.id, "same", idempotency_key="k1")
    c = await create_post(cast.bob, thread.id, "same")  # same body within seconds
    assert a.id == b.id == c.id
    t2 = await create_thread(cast.ada, cast.course.id, "Q", "b")
    assert t2.id == thread.id
    assert await Post.filter(thread_id=thread.id).count() == 2


async def test_body_length_limits(cast):
    with pytest.raises(BadInput) as err:
        await create_thread(cast.ada, cast.course.id, "", "x" * (MAX_BODY + 1))
    assert set(err.value.fields) == {"title", "body"}
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b")
    with pytest.raises(BadInput):
        await create_post(cast.bob, thread.id, "   ")
