"""The forum JSON API for members: threads, posts, votes, reports, following, settings."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from accounts.session import require_user
from core.errors import BadInput
from core.http import created, read_json
from core.i18n import gettext as _
from core.paging import link_headers, page_request
from forum import posting
from forum.access import get_thread, readable_post, viewer_in
from forum.flags import flag_post
from forum.follows import is_following, set_following
from forum.posts import create_post, edit_post, post_history
from forum.presenters import post_json, present_post, revision_views, thread_json
from forum.queries import open_thread_page
from forum.reply_pages import REPLIES_LIMIT, REPLIES_MAX, flat_posts, reply_page
from forum.search import SEARCH_LIMIT, SEARCH_MAX, search_forum
from forum.settings import forum_settings, my_anonymity_choices, update_forum_settings
from forum.thread_list import THREADS_LIMIT, THREADS_MAX, thread_page
from forum.threads import create_thread
from forum.topics import topics_of
from forum.votes import vote
from models.forum import Anonymity
from models.users import User


def _anonymity_field(data: dict[str, Any]) -> Any:
    return data.get("anonymity")


async def api_threads(request: Request) -> Response:
    """GET: threads the caller may see (?topic_id=, ?mine=1). POST: start a thread."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    if request.method == "GET":
        viewer = await viewer_in(user, course_id)
        threads, after = await thread_page(
            course_id, viewer, page_request(request.query_params, default=THREADS_LIMIT,
                                            maximum=THREADS_MAX),
            topic_key=request.query_params.get("topic_id") or None,
            mine=request.query_params.get("mine") in ("1", "true"))
        return JSONResponse([thread_json(t) for t in threads],
                            headers=link_headers(request.url, after))
    data = await read_json(request)
    thread = await create_thread(
        user, course_id, data.get("title"), data.get("body"), _anonymity_field(data),
        kind=data.get("type"), topic_id=data.get("topic_id"),
        idempotency_key=request.headers.get("idempotency-key") or data.get("idempotency_key"),
        limiter=request.app.state.runtime.limiter, per_minute=posting.POSTS_PER_MINUTE)
    return created(await _thread_detail(user, thread.id))


async def _thread_detail(user: User, thread_id: object) -> dict[str, Any]:
    page_data, _viewer, _posts = await open_thread_page(user, thread_id)
    data = thread_json(page_data.thread)
    data["posts"] = flat_posts(page_data.replies)
    data["following"] = await is_following(user, page_data.thread.id)
    return data


async def api_thread(request: Request) -> Response:
    user = await require_user(request)
    return JSONResponse(await _thread_detail(user, request.path_params["thread_id"]))


async def api_posts(request: Request) -> Response:
    """GET: a page of the thread's replies with their comments. POST: reply or comment."""
    user = await require_user(request)
    if request.method == "GET":
        page = page_request(request.query_params, default=REPLIES_LIMIT, maximum=REPLIES_MAX)
        replies, after = await reply_page(user, request.path_params["thread_id"], page.limit,
                                          page.key(1)[0] if page.after else None)
        return JSONResponse(flat_posts(replies), headers=link_headers(request.url, after))
    data = await read_json(request)
    key = request.headers.get("idempotency-key") or data.get("idempotency_key")
    post = await create_post(
        user, request.path_params["thread_id"], data.get("body"), _anonymity_field(data),
        parent_id=data.get("parent_id"), idempotency_key=key,
        limiter=request.app.state.runtime.limiter,
        per_minute=posting.POSTS_PER_MINUTE)
    viewer = await viewer_in(user, post.thread.course_id)
    return created(post_json(present_post(post, viewer)))


async def api_post(request: Request) -> Response:
    """GET one post; PATCH {body} edits it (author)."""
    user = await require_user(request)
    post_id = request.path_params["post_id"]
    if request.method == "PATCH":
        data = await read_json(request)
        await edit_post(user, post_id, data.get("body"), limiter=request.app.state.runtime.limiter)
    post, viewer = await readable_post(user, post_id)
    return JSONResponse(post_json(present_post(post, viewer)))


async def api_revisions(request: Request) -> Response:
    user = await require_user(request)
    post, viewer = await readable_post(user, request.path_params["post_id"])
    revisions = await post_history(user, post.id)
    return JSONResponse([{"body_html": r["body_html"], "created_at": r["when"].isoformat()}
                         for r in revision_views(post, viewer, revisions)])


async def api_votes(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    value = data.get("value", 1)
    if value not in (0, 1) or isinstance(value, bool):
        raise BadInput(_("value is 1 (upvote) or 0 (withdraw)."), fields={"value": _("0 or 1.")})
    post = await vote(user, request.path_params["post_id"], value == 1)
    return JSONResponse({"post_id": post.id, "score": post.score, "voted": value == 1})


async def api_flags(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    flag = await flag_post(user, request.path_params["post_id"], data.get("reason"),
                                   limiter=request.app.state.runtime.limiter)
    return created({"id": flag.id, "post_id": flag.post_id, "reason": flag.reason,
                    "status": flag.status.value})


async def api_follow(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    following = data.get("following", True)
    if not isinstance(following, bool):
        raise BadInput(_("following is true or false."), fields={"following": _("A boolean.")})
    await set_following(user, request.path_params["thread_id"], following)
    thread = await get_thread(request.path_params["thread_id"])
    return JSONResponse({"thread_id": thread.id, "following": following})


async def api_settings(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    if request.method == "PUT":
        data = await read_json(request)
        settings = await update_forum_settings(user, course_id,
                                                       data.get("max_anonymity"),
                                                       data.get("moderation"))
    else:
        await viewer_in(user, course_id)
        settings = await forum_settings(course_id)
    return JSONResponse({"course_id": course_id, "max_anonymity": settings.max_anonymity.value,
                         "moderation": settings.moderation.value,
                         "anonymity_choices": [a.value for a in Anonymity
                                               if a in await my_anonymity_choices(
                                                   course_id)]})


async def api_topics(request: Request) -> Response:
    user = await require_user(request)
    topics = await topics_of(user, request.path_params["course_id"])
    return JSONResponse([{"id": t.key, "title": t.title} for t in topics])


async def api_search(request: Request) -> Response:
    """Threads and posts matching `?q=`, as the caller may read them, paged by keyset."""
    user = await require_user(request)
    found = await search_forum(user, request.path_params["course_id"],
                               request.query_params.get("q"), page_request(
                                   request.query_params, default=SEARCH_LIMIT,
                                   maximum=SEARCH_MAX))
    return JSONResponse([{"thread": thread_json(hit.thread), "post": post_json(hit.post)}
                         for hit in found.hits],
                        headers=link_headers(request.url, found.after))
