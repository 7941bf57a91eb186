"""The forum's course pages: the thread lists, a discussion block's panel, starting a
thread, and the settings form."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import Response

from accounts.pages import page
from accounts.session import require_user
from core.errors import CoursewireError
from core.http import read_form, redirect
from core.paging import next_url, page_request
from courses.service import get_course, role_in
from forum import posting, queries
from forum.access import viewer_in
from forum.presenters import ThreadView
from forum.resync import list_topic
from forum.search import SEARCH_LIMIT, SEARCH_MAX, search_forum
from forum.settings import forum_settings, my_anonymity_choices, update_forum_settings
from forum.thread_list import thread_page
from forum.threads import create_thread
from forum.topics import discussion_topic, topics_of
from models.courses import Role
from models.forum import Anonymity
from models.users import User


async def forum_page(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    return await _render_forum(request, user, course_id, form={}, errors={})


async def _render_forum(request: Request, user: User, course_id: str, *, form: dict[str, str],
                        errors: dict[str, Any], message: str | None = None,
                        status: int = 200) -> Response:
    viewer = await viewer_in(user, course_id)
    course = await get_course(course_id)
    topics = await topics_of(user, course_id)
    key = request.query_params.get("topic") or None
    topic = next((t for t in topics if t.key == key), None)
    mine = request.query_params.get("mine") == "1"
    threads = await queries.list_threads(course_id, viewer, topic_key=topic.key if topic else
                                         None, mine=mine)
    settings = await forum_settings(course_id)
    role = Role.INSTRUCTOR if user.is_admin else None
    role = role or await role_in(user, course_id)
    return await page(
        request, "forum/forum.html", status_code=status, course=course, topics=topics,
        topic=topic, mine=mine, staff=viewer.staff, instructor=role == Role.INSTRUCTOR,
        course_id=course_id, scope="mine" if mine else (topic.key if topic else "all"),
        pinned=[t for t in threads if t.pinned], others=[t for t in threads if not t.pinned],
        older=older_threads_url(course_id, threads, request.url.query),
        choices=await my_anonymity_choices(course_id), all_levels=list(Anonymity),
        settings=settings, form=form, errors=errors, message=message,
        compose=request.query_params.get("compose") == "1", live_topics=[
            "user:me", f"course:{course_id}:forum",
            *([list_topic(course_id, topic.key if topic else None, mine)]
              if topic or mine else [])])


async def discussion_panel(request: Request) -> Response:
    """A `discussion` block on its unit page: the topic's thread list (the same live lists
    as the forum page filtered to that topic) and a way to start a thread there."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    topic = await discussion_topic(user, course_id, block_id)
    viewer = await viewer_in(user, course_id)
    threads = await queries.list_threads(course_id, viewer, topic_key=topic.key)
    return await page(request, "forum/_discussion.html", course_id=course_id,
                      block_id=block_id, topic=topic, scope=topic.key, oob=False,
                      pinned=[t for t in threads if t.pinned],
                      others=[t for t in threads if not t.pinned])


async def new_thread_form(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    form = await read_form(request)
    try:
        thread = await create_thread(
            user, course_id, form.get("title"), form.get("body"), form.get("anonymity"),
            kind=form.get("type"), topic_id=form.get("topic_id"),
            idempotency_key=form.get("idempotency_key"), limiter=request.app.state.runtime.limiter,
            per_minute=posting.POSTS_PER_MINUTE)
    except CoursewireError as exc:
        if exc.status in (401, 404):
            raise
        return await _render_forum(request, user, course_id, form=form, errors=exc.fields,
                                   message=exc.message, status=exc.status)
    return redirect(request, f"/forum/threads/{thread.id}")


async def settings_form(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    form = await read_form(request)
    await update_forum_settings(user, course_id, form.get("max_anonymity"),
                                        form.get("moderation"))
    return redirect(request, f"/courses/{course_id}/forum")


async def search_page(request: Request) -> Response:
    """The forum's search: a form, the hits as the viewer may read them, and a link to
    the next page of older hits. An empty or bad search shows the form with the reason."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    course = await get_course(course_id)
    text = request.query_params.get("q", "")
    found, error = None, None
    if text.strip():
        try:
            found = await search_forum(user, course_id, text, page_request(
                request.query_params, default=SEARCH_LIMIT, maximum=SEARCH_MAX))
        except CoursewireError as exc:
            if exc.status >= 500 or exc.status in (403, 404):
                raise
            error = exc.message
    else:
        await viewer_in(user, course_id)  # members only, like the forum itself
    return await page(request, "forum/search.html", status_code=400 if error else 200,
                      course=course, course_id=course_id, text=text[:200], found=found,
                      error=error, more=next_url(request.url, found.after) if found else None)


def older_threads_url(course_id: str, threads: list[ThreadView], query: str) -> str | None:
    """Where the threads after a full live list continue (None when it holds them all)."""
    if len(threads) < queries.LIST_LIMIT:
        return None
    url = URL(f"/courses/{course_id}/forum/older?{query}")
    return next_url(url.remove_query_params(["after", "compose"]), (threads[-1].id,))


async def older_threads_page(request: Request) -> Response:
    """The threads after a key, a page at a time, in the forum list's order (a plain page:
    the live list is the forum page's first page)."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    viewer = await viewer_in(user, course_id)
    mine = request.query_params.get("mine") == "1"
    threads, after = await thread_page(
        course_id, viewer, page_request(request.query_params, default=queries.LIST_LIMIT,
                                        maximum=queries.LIST_LIMIT),
        topic_key=request.query_params.get("topic") or None, mine=mine)
    return await page(request, "forum/older.html", course=await get_course(course_id),
                      course_id=course_id, threads=threads, scope="older",
                      more=next_url(request.url, after))
