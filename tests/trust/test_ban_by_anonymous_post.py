"""A ban by post id must not tell staff anything about an author anonymous to everyone: a
TA got 403 for an instructor's post and 201 for a student's, which named the role."""

from __future__ import annotations

from core.errors import CoursewireError
from forum import moderation
from forum.settings import update_forum_settings
from forum.threads import create_thread
from models.forum import Post
from tests.forum.conftest import cast  # noqa: F401 (fixture)


async def _ban_outcome(actor, course_id, post_id) -> tuple[str, int, str]:
    try:
        await moderation.ban_from_posting(actor, course_id, hours=1, reason="x",
                                          post_id=post_id)
    except CoursewireError as exc:
        return ("refused", exc.status, exc.message)
    return ("banned", 201, "")


async def test_ta_ban_by_anonymous_post_answers_the_same_for_any_author(cast):  # noqa: F811
    await update_forum_settings(cast.teacher, cast.course.id, "all")
    outcomes = []
    for author in (cast.teacher, cast.ada):
        thread = await create_thread(author, cast.course.id, "Q", "b", "all")
        root = await Post.get(thread_id=thread.id, depth=0)
        outcomes.append(await _ban_outcome(cast.ta, cast.course.id, root.id))
    assert outcomes[0] == outcomes[1]


async def test_instructor_may_ban_the_author_of_an_anonymous_post(cast):  # noqa: F811
    await update_forum_settings(cast.teacher, cast.course.id, "all")
    thread = await create_thread(cast.ada, cast.course.id, "Q", "b", "all")
    root = await Post.get(thread_id=thread.id, depth=0)
    ban = await moderation.ban_from_posting(cast.teacher, cast.course.id, hours=1,
                                            reason="abuse", post_id=root.id)
    assert ban.user_id == cast.ada.id
    assert moderation.ban_json(ban, root)["user_id"] is None
