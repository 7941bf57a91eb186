"""Who may join the forum's topics, and what a page that (re)joins one is re-sent.

A page showing a filtered thread list (one topic's threads, or the viewer's own) also joins
`forum_list:<course_id>/<query>` (nothing is published there), which re-sends that list;
`course:<id>:forum` re-sends the all-topics lists.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from core.ids import parse_id
from courses.audience import course_audience
from forum import fragments
from forum.anonymity import Viewer
from forum.frames import root_of
from forum.queries import (
    build_page,
    list_threads,
    my_votes,
    shown_to,
    thread_posts,
)
from forum.queue_count import count_fragment
from forum.queue_pages import first_queue_page, queue_more_url
from forum.settings import anonymity_choices
from models.forum import Post, Thread
from models.users import User
from realtime.resync import loaded_count
from realtime.topics import Topic


async def authorize_thread(topic: Topic, user: User) -> str | None:
    """Members whose thread page would open (the opening post visible to them: published
    or hidden, or their own held one; the same rule as the page)."""
    thread_id = parse_id(topic.key)
    thread = await Thread.get_or_none(id=thread_id) if thread_id is not None else None
    if thread is None:
        return None
    audience = await course_audience(thread.course_id, user)
    root = await Post.get_or_none(thread_id=thread.id, depth=0)
    if audience is None or root is None or not shown_to(root, Viewer(audience, user.id)):
        return None
    return audience


async def resync_thread(topic: Topic, user: User, audience: str) -> str:
    thread_id = parse_id(topic.key)
    thread = await Thread.get_or_none(id=thread_id).prefetch_related("topic") \
        if thread_id is not None else None
    if thread is None:
        return ""
    posts = await thread_posts(thread.id)
    viewer = Viewer(audience, user.id)
    if not shown_to(root_of(posts), viewer):  # gone since the page was rendered
        return fragments.thread_gone(thread.id)
    page = build_page(thread, posts, viewer)
    choices = await anonymity_choices(thread.course_id)
    voted = await my_votes(user.id, thread.id)
    return (fragments.head(page.thread, choices, oob=True)
            + fragments.posts(page, choices, oob=True,
                              loaded=loaded_count(fragments.posts_id(thread.id)))
            + fragments.my_votes(thread.id, voted, oob=True))


async def resync_list(topic: Topic, user: User, audience: str) -> str:
    threads = await list_threads(topic.key, Viewer(audience, user.id))
    return fragments.lists(topic.key, threads, oob=True)


def list_topic(course_id: str, topic_key: str | None = None, mine: bool = False) -> str:
    """The resync-only topic of a filtered thread list (see the module docstring)."""
    query = urlencode({**({"topic": topic_key} if topic_key else {}),
                       **({"mine": "1"} if mine else {})})
    return f"forum_list:{course_id}/{query}"


def _list_filter(topic: Topic) -> tuple[str, str | None, bool]:
    course_id, _, query = topic.key.partition("/")  # course ids hold no "/"
    params = parse_qs(query)
    return course_id, (params.get("topic") or [None])[0], params.get("mine") == ["1"]


async def authorize_list(topic: Topic, user: User) -> str | None:
    course_id, _, _ = _list_filter(topic)
    return await course_audience(course_id, user) if course_id else None


async def resync_filtered_list(topic: Topic, user: User, audience: str) -> str:
    course_id, topic_key, mine = _list_filter(topic)
    if not (topic_key or mine):
        return ""  # the all-topics lists come with course:<id>:forum
    threads = await list_threads(course_id, Viewer(audience, user.id), topic_key=topic_key,
                                 mine=mine)
    scope = "mine" if mine else topic_key
    return fragments.lists(course_id, threads, scope or "all", oob=True)


async def resync_queue(topic: Topic, user: User, audience: str) -> str:
    if audience != "staff":
        return ""
    items, after = await first_queue_page(topic.key,
                                          loaded_count(fragments.queue_id(topic.key)))
    return (fragments.queue(topic.key, items, queue_more_url(topic.key, after), oob=True)
            + await count_fragment(topic.key))
