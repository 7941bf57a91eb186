"""The forum's topics: `general`, the ones staff open, and those of published `discussion`
blocks (made on first use)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from content_store import PUBLISHED
from content_store.connect import current_store
from core.errors import BadInput, NotFound
from core.i18n import gettext as _
from courses.visibility import require_visible
from forum.access import viewer_in
from forum.posting import MAX_TITLE
from models.forum import (
    ForumTopic,
)
from models.users import User

MAX_TOPIC_KEY = 100
GENERAL = "general"


async def ensure_topic(course_id: str, key: object, title: object = None) -> ForumTopic:
    """The course's topic `key`, made on first use (a `discussion` block's topic_id)."""
    if not isinstance(key, str) or not key.strip():
        key = GENERAL
    key = key.strip()
    if len(key) > MAX_TOPIC_KEY:
        raise BadInput(_("Topic ids are at most %(max)d characters.", max=MAX_TOPIC_KEY),
                       fields={"topic_id": _("Too long.")})
    topic = await ForumTopic.get_or_none(course_id=course_id, key=key)
    if topic is not None:
        return topic
    name = title.strip()[:MAX_TITLE] if isinstance(title, str) and title.strip() else (
        "General" if key == GENERAL else key)
    try:
        return await ForumTopic.create(course_id=course_id, key=key, title=name)
    except IntegrityError:
        return await ForumTopic.get(course_id=course_id, key=key)


async def discussion_topic(user: User, course_id: str, block_id: str) -> ForumTopic:
    """The forum topic of a published `discussion` block, for the unit page it sits on."""
    await viewer_in(user, course_id)
    await require_visible(user, course_id, block_id)  # not before its release (courses.release)
    try:
        block = await current_store().get_block(course_id, block_id, PUBLISHED)
    except NotFound:
        block = None
    if block is None or block.type != "discussion":
        raise NotFound(_("No discussion %(block)r in this course.", block=block_id))
    title = block.fields.get("title")
    topic = await ensure_topic(course_id, block.fields.get("topic_id"), title)
    if topic.title == topic.key and isinstance(title, str) and title.strip():
        # Made by a thread filed under the id before any page showed the block: name it.
        topic.title = title.strip()[:MAX_TITLE]
        await ForumTopic.filter(id=topic.id, title=topic.key).update(title=topic.title)
    return topic


async def _published_discussion_topics(course_id: str) -> set[str]:
    """The topic ids of the `discussion` blocks in the course's published version."""
    store = current_store()
    try:
        structure = await store.get_branch(course_id, PUBLISHED)
    except NotFound:  # not published (or no content at all): no discussion topics yet
        return set()
    ids = [key.id for key in structure.blocks if key.type == "discussion"]
    if not ids:
        return set()
    blocks = await store.get_blocks(course_id, ids, PUBLISHED)
    return {b.fields["topic_id"] for b in blocks if isinstance(b.fields.get("topic_id"), str)}


async def topic_for_new_thread(course_id: str, key: object, staff: bool) -> ForumTopic:
    """The topic a new thread is filed under. Staff may open a new topic by naming it;
    students only file under `general`, a topic staff opened, or a published
    `discussion` block's topic (made on first use)."""
    if staff or key in (None, "") or (isinstance(key, str) and key.strip() in ("", GENERAL)):
        return await ensure_topic(course_id, key)
    if not isinstance(key, str):
        raise BadInput(_("A topic id is text."), fields={"topic_id": _("Choose a topic.")})
    existing = await ForumTopic.get_or_none(course_id=course_id, key=key.strip())
    if existing is not None:
        return existing
    if key.strip() in await _published_discussion_topics(course_id):
        return await ensure_topic(course_id, key)
    raise BadInput(_("There is no topic %(topic)r in this course's forum.",
                     topic=key.strip()[:MAX_TOPIC_KEY]),
                   fields={"topic_id": _("Choose one of the course's topics.")})


async def topics_of(user: User, course_id: str) -> list[ForumTopic]:
    await viewer_in(user, course_id)
    await ensure_topic(course_id, GENERAL)
    return await ForumTopic.filter(course_id=course_id).order_by("id")
