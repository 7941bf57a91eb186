"""The forum JSON API for staff: moderation, claims, bans, the queue, the audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from accounts.session import require_user
from core.http import created, read_json
from core.ids import parse_id
from core.paging import link_headers, page_request
from forum import moderation, queries
from forum.access import get_thread, viewer_in
from forum.presenters import post_json, present_post
from forum.queue_pages import QUEUE_LIMIT, QUEUE_MAX, queue_groups, staff_queue_page
from models.forum import Post


async def api_moderation(request: Request) -> Response:
    user = await require_user(request)
    await moderation.staff_post(user, request.path_params["post_id"])  # rights, then body
    data = await read_json(request)
    post = await moderation.moderate(user, request.path_params["post_id"], data.get("action"),
                                     data.get("reason"))
    viewer = await viewer_in(user, post.thread.course_id)
    thread = await get_thread(post.thread_id)
    result = post_json(present_post(post, viewer))
    result["thread"] = {"id": thread.id, "pinned": thread.pinned, "locked": thread.locked,
                        "closed": thread.closed}
    return JSONResponse(result)


async def api_claim(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request) if await request.body() else {}
    post = await moderation.claim(user, request.path_params["post_id"],
                                  bool(data.get("release")))
    return JSONResponse({"post_id": post.id, "claimed": post.claimed_by_id == user.id})


async def api_reveal(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    return JSONResponse(await moderation.reveal_author(user, request.path_params["post_id"],
                                                       data.get("reason")))


async def api_bans(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    data = await read_json(request)
    ban = await moderation.ban_from_posting(user, course_id, hours=data.get("hours"),
                                            reason=data.get("reason"),
                                            user_id=data.get("user_id"),
                                            post_id=data.get("post_id"))
    post_id = parse_id(data.get("post_id"))
    post = await Post.get_or_none(id=post_id) if post_id is not None else None
    return created(moderation.ban_json(ban, post))


async def api_queue(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    choice = await queue_groups(user, course_id, request.query_params.get("group"))
    items, after = await staff_queue_page(user, course_id, page_request(
        request.query_params, default=QUEUE_LIMIT, maximum=QUEUE_MAX), choice.names)
    return JSONResponse([{"post_id": i.post.id, "thread_id": i.thread_id,
                          "thread_title": i.thread_title, "pending": i.pending,
                          "flags": [{"reason": f.reason} for f in i.flags],
                          "claimed_by": i.claimed_by, "post": post_json(i.post),
                          "group": None if i.group_hidden else i.author_group}
                         for i in items], headers=link_headers(request.url, after))


async def api_audit(request: Request) -> Response:
    user = await require_user(request)
    return JSONResponse(await queries.audit_log(user, request.path_params["course_id"]))
