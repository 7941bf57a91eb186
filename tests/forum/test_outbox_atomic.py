"""Issue 12: every forum change commits in one transaction with its event (the outbox).
If the event row cannot be written, the change is not kept either; a committed change
always has its event row. Embedded and service mode."""

from __future__ import annotations

import pytest

from forum import moderation
from forum.flags import flag_post
from forum.posts import create_post, edit_post
from forum.threads import create_thread
from forum.votes import vote
from models.forum import Ban, Flag, ModerationAction, Post, PostRevision, PostStatus, Thread
from tests.support.outbox_down import OutboxDown, event_names_since, last_seq, outbox_down


async def _thread(cast) -> tuple[Thread, Post]:
    thread = await create_thread(cast.ada, cast.course.id, "Q", "the question", "none")
    return thread, await Post.get(thread_id=thread.id, depth=0)


async def test_a_thread_is_not_kept_without_its_event(cast):
    with outbox_down(), pytest.raises(OutboxDown):
        await create_thread(cast.ada, cast.course.id, "Lost", "never kept", "none")
    assert not await Thread.exists(title="Lost")
    assert not await Post.exists(body_md="never kept")
    seq = await last_seq()
    await create_thread(cast.ada, cast.course.id, "Kept", "kept", "none")
    assert "forum.thread.created" in await event_names_since(seq)


async def test_a_reply_is_not_kept_without_its_event(cast):
    thread, _ = await _thread(cast)
    with outbox_down(), pytest.raises(OutboxDown):
        await create_post(cast.bob, thread.id, "never kept")
    assert not await Post.exists(body_md="never kept")
    seq = await last_seq()
    await create_post(cast.bob, thread.id, "kept")
    assert "forum.post.created" in await event_names_since(seq)


async def test_an_edit_is_not_kept_without_its_event(cast):
    _, root = await _thread(cast)
    with outbox_down(), pytest.raises(OutboxDown):
        await edit_post(cast.ada, root.id, "edited text")
    assert (await Post.get(id=root.id)).body_md == "the question"
    assert not await PostRevision.exists(post_id=root.id)
    seq = await last_seq()
    await edit_post(cast.ada, root.id, "edited text")
    assert "forum.post.updated" in await event_names_since(seq)


async def test_a_vote_is_not_counted_without_its_event(cast):
    _, root = await _thread(cast)
    with outbox_down(), pytest.raises(OutboxDown):
        await vote(cast.bob, root.id, True)
    assert (await Post.get(id=root.id)).score == 0
    seq = await last_seq()
    assert (await vote(cast.bob, root.id, True)).score == 1
    assert "forum.post.updated" in await event_names_since(seq)


async def test_a_report_is_not_kept_without_its_event(cast):
    _, root = await _thread(cast)
    with outbox_down(), pytest.raises(OutboxDown):
        await flag_post(cast.bob, root.id, "spam")
    assert not await Flag.exists(post_id=root.id)
    seq = await last_seq()
    await flag_post(cast.bob, root.id, "spam")
    assert await event_names_since(seq)


async def test_a_moderation_decision_is_not_kept_without_its_events(cast):
    _, root = await _thread(cast)
    with outbox_down(), pytest.raises(OutboxDown):
        await moderation.moderate(cast.ta, root.id, "hide", "off topic")
    assert (await Post.get(id=root.id)).status == PostStatus.PUBLISHED
    assert not await ModerationAction.exists(post_id=root.id)  # nor its audit row
    seq = await last_seq()
    await moderation.moderate(cast.ta, root.id, "hide", "off topic")
    assert (await Post.get(id=root.id)).status == PostStatus.HIDDEN
    assert "forum.post.hidden" in await event_names_since(seq)


async def test_a_claim_is_not_kept_without_its_event(cast):
    _, root = await _thread(cast)
    await flag_post(cast.bob, root.id, "spam")
    with outbox_down(), pytest.raises(OutboxDown):
        await moderation.claim(cast.ta, root.id)
    assert (await Post.get(id=root.id)).claimed_by_id is None


async def test_a_ban_is_not_kept_without_its_event(cast):
    _, root = await _thread(cast)
    with outbox_down(), pytest.raises(OutboxDown):
        await moderation.ban_from_posting(cast.ta, cast.course.id, hours=1, reason="spam",
                                          post_id=root.id)
    assert not await Ban.exists(user_id=cast.ada.id)
    seq = await last_seq()
    await moderation.ban_from_posting(cast.ta, cast.course.id, hours=1, reason="spam",
                                      post_id=root.id)
    assert "forum.ban" in await event_names_since(seq)
