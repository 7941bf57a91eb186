"""Every event the forum publishes carries the payload its EventType declares, for every
audience: real flows (anonymous threads and replies, comments, edits, votes, following,
reports, claims, every moderation action, pre-moderation, a held edit, a ban), read back
from the event log."""

from __future__ import annotations

from core.event_types import problems
from forum import moderation
from forum.events import EVENT_TYPES
from forum.flags import flag_post
from forum.follows import set_following
from forum.payloads import PostPayload
from forum.posts import create_post, edit_post
from forum.settings import update_forum_settings
from forum.threads import create_thread
from forum.votes import vote
from models.events import Event
from models.forum import Post

TYPES = {t.name: t for t in EVENT_TYPES}


async def _root(thread_id: int) -> Post:
    return await Post.get(thread_id=thread_id, depth=0)


async def test_every_published_payload_fits_its_event_type(cast):
    course = cast.course.id
    # Post-moderation: an anonymous thread, a reply, a comment, an edit, votes, a follower.
    thread = await create_thread(cast.ada, course, "Recursion?", "How deep?", "peers")
    await set_following(cast.cy, thread.id, True)
    reply = await create_post(cast.bob, thread.id, "Base case first.", "none")
    await create_post(cast.cy, thread.id, "Agreed.", "peers", parent_id=reply.id)
    await edit_post(cast.bob, reply.id, "Base case first, always.")
    await vote(cast.ada, reply.id, True)
    await vote(cast.bob, (await _root(thread.id)).id, True)
    # Reports, claims and every moderation action on posts and threads.
    await flag_post(cast.ada, reply.id, "Rude")
    await moderation.claim(cast.ta, reply.id)
    for action in ("hide", "unhide", "endorse", "pin", "lock", "unlock", "close", "reopen"):
        await moderation.moderate(cast.ta, reply.id, action, "why")
    await moderation.moderate(cast.ta, reply.id, "delete", "Rude")
    # Pre-moderation: a held thread approved, a held reply rejected, a held edit approved.
    await update_forum_settings(cast.teacher, course, moderation="pre")
    held = await create_thread(cast.bob, course, "Held", "Please approve", "peers")
    await moderation.moderate(cast.ta, (await _root(held.id)).id, "approve")
    late = await create_post(cast.ada, held.id, "Held reply", "peers")
    await moderation.moderate(cast.ta, late.id, "reject", "Off topic")
    await update_forum_settings(cast.teacher, course, moderation="post")
    kept = await create_post(cast.cy, held.id, "Kept", "none")
    await update_forum_settings(cast.teacher, course, moderation="pre")
    await edit_post(cast.cy, kept.id, "Kept, edited")
    await moderation.moderate(cast.ta, kept.id, "approve")
    await moderation.ban_from_posting(cast.ta, course, hours=1, reason="Spam",
                                      user_id=cast.cy.id)

    published = await Event.filter(name__startswith="forum.")
    seen = {row.name for row in published}
    assert seen == set(TYPES), f"flows published {sorted(seen)}; declared {sorted(TYPES)}"
    audiences = {a for row in published for a in row.data_by_audience}
    assert audiences == {"student", "staff", "self"}
    found = [f"{row.name} on {row.topic} ({audience}): {p}" for row in published
             for audience, data in row.data_by_audience.items()
             for p in problems(TYPES[row.name].payload, data)]
    assert not found, "\n".join(found)


def test_the_check_names_a_payload_that_does_not_fit():
    wrong = {"id": "7", "thread_id": 3, "parent_id": None, "depth": 1, "status": "gone",
             "anonymity": "peers", "author": {"id": 1, "name": "Ada", "email": "a@b"},
             "author_label": "Ada", "body_html": "", "score": 0, "endorsed": False,
             "created_at": "2026-01-01T00:00:00+00:00"}
    assert problems(PostPayload, wrong) == [
        "data.edited_at: missing", "data.id: expected int, got '7'",
        "data.status: 'gone' is not one of ['pending', 'published', 'hidden', 'rejected', "
        "'deleted']", "data.author: {'id': 1, 'name': 'Ada', 'email': 'a@b'} fits none of "
        "forum.payloads.Author | None"]
