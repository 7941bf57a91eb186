"""Live = reload for every forum change, on every page that shows it, for each audience:
the course's thread list, the thread page, "My posts", and the moderation queue (staff).
Ada writes anonymously to her peers, so Bob (another student) sees the student view of a
post that is not his, and Ada sees her own view of it."""

from __future__ import annotations

from forum import moderation
from forum.flags import flag_post
from forum.posts import create_post, edit_post
from forum.settings import update_forum_settings
from forum.threads import create_thread
from forum.votes import vote
from models.forum import Post
from tests.support.live_reload import covers, verify_action


def forum_pages(cast, thread_id: int | None = None) -> dict:
    lists = [f"/courses/{cast.course_id}/forum",
             f"/courses/{cast.course_id}/forum?mine=1"]
    pages = {v: list(lists) for v in cast.everyone}
    if thread_id is not None:
        for v in cast.everyone:
            pages[v].append(f"/forum/threads/{thread_id}")
    for v in (cast.ta, cast.teacher):
        pages[v].append(f"/courses/{cast.course_id}/forum/moderation")
    return pages


async def _thread(cast, who=None, title="Stuck on recursion") -> int:
    thread = await create_thread((who or cast.ada).user, cast.course_id, title,
                                         "How do I start?", "peers")
    return thread.id


async def _root(thread_id: int) -> Post:
    return await Post.get(thread_id=thread_id, depth=0)


@covers("forum.thread.created", "forum.post.created", "forum.post_changed:created")
async def test_new_thread_and_reply(cast):
    made = {}

    async def new_thread():
        made["id"] = await _thread(cast)

    await verify_action(cast.hub, forum_pages(cast), new_thread)
    tid = made["id"]

    async def reply():
        await create_post(cast.bob.user, tid, "Start with the base case.", "peers")

    await verify_action(cast.hub, forum_pages(cast, tid), reply)


@covers("forum.post.updated", "forum.post_changed:updated")
async def test_edit_and_vote(cast):
    tid = await _thread(cast)
    reply = await create_post(cast.bob.user, tid, "First words", "none")

    async def edit():
        await edit_post(cast.bob.user, reply.id, "Edited words")

    await verify_action(cast.hub, forum_pages(cast, tid), edit)

    async def upvote():
        await vote(cast.ada.user, reply.id, True)

    await verify_action(cast.hub, forum_pages(cast, tid), upvote)

    async def vote_on_thread():
        await vote(cast.bob.user, (await _root(tid)).id, True)

    await verify_action(cast.hub, forum_pages(cast, tid), vote_on_thread)


@covers("forum.post.hidden", "forum.post_changed:hidden", "forum.post_changed:unhidden",
        "forum.post_changed:removed", "forum.moderation.resolved")
async def test_hide_unhide_delete(cast):
    tid = await _thread(cast)
    reply = await create_post(cast.bob.user, tid, "Off topic", "peers")
    for action, target in (("hide", reply.id), ("unhide", reply.id),
                           ("hide", None), ("unhide", None), ("delete", reply.id)):
        post_id = target or (await _root(tid)).id

        async def moderate(action=action, post_id=post_id):
            await moderation.moderate(cast.ta.user, post_id, action, "cleanup")

        await verify_action(cast.hub, forum_pages(cast, tid), moderate)


@covers("forum.post_changed:pinned", "forum.post_changed:thread")
async def test_pin_endorse_lock_close(cast):
    tid = await _thread(cast)
    await _thread(cast, cast.bob, "Another question")
    reply = await create_post(cast.bob.user, tid, "An answer", "none")
    root = await _root(tid)
    for action, post_id in (("pin", root.id), ("unpin", root.id), ("endorse", reply.id),
                            ("unendorse", reply.id), ("lock", root.id), ("unlock", root.id),
                            ("close", reply.id), ("reopen", root.id)):
        async def moderate(action=action, post_id=post_id):
            await moderation.moderate(cast.teacher.user, post_id, action, "")

        await verify_action(cast.hub, forum_pages(cast, tid), moderate)


@covers("forum.moderation.queued", "forum.moderation.claimed", "forum.moderation.decision",
        "forum.post_changed:updated", "forum.queue_changed:queued",
        "forum.queue_changed:claimed", "forum.queue_changed:resolved")
async def test_flags_and_premoderation(cast):
    tid = await _thread(cast)
    reply = await create_post(cast.bob.user, tid, "Rude words", "none")

    async def flag():
        await flag_post(cast.ada.user, reply.id, "Rude")

    await verify_action(cast.hub, forum_pages(cast, tid), flag)

    async def claim():
        await moderation.claim(cast.ta.user, reply.id)

    await verify_action(cast.hub, forum_pages(cast, tid), claim)

    async def dismiss():
        await moderation.moderate(cast.ta.user, reply.id, "dismiss", "fine")

    await verify_action(cast.hub, forum_pages(cast, tid), dismiss)

    await update_forum_settings(cast.teacher.user, cast.course_id, moderation="pre")
    held = {}

    async def held_reply():
        held["post"] = await create_post(cast.ada.user, tid, "Held words", "peers")

    await verify_action(cast.hub, forum_pages(cast, tid), held_reply)
    for action in ("approve",):
        async def decide(action=action):
            await moderation.moderate(cast.ta.user, held["post"].id, action, "ok")

        await verify_action(cast.hub, forum_pages(cast, tid), decide)

    async def held_thread():
        held["thread"] = await _thread(cast, cast.bob, "Held thread")

    await verify_action(cast.hub, forum_pages(cast), held_thread)

    async def reject():
        await moderation.moderate(cast.ta.user, (await _root(held["thread"])).id, "reject",
                                  "Not for the forum")

    await verify_action(cast.hub, forum_pages(cast), reject)

    async def edit_approved():  # an approved post edited under premoderation: held again
        await edit_post(cast.ada.user, held["post"].id, "Changed words")

    await verify_action(cast.hub, forum_pages(cast, tid), edit_approved)


@covers("forum.ban")
async def test_ban(cast):
    tid = await _thread(cast, cast.bob, "Spam")

    async def ban():
        await moderation.ban_from_posting(cast.ta.user, cast.course_id, hours=2,
                                          reason="Spam", user_id=cast.bob.user.id)

    # A ban changes no page (a reload shows the same forum); the banned student is told
    # in the page's transient notices (#flash, outside <main>), and only they are.
    frames = await verify_action(cast.hub, forum_pages(cast, tid), ban, expect_change=False)
    told = {key.split()[0] for key, got in frames.items() if any("Reason: Spam" in f for f in got)}
    assert told == {"bob"}
