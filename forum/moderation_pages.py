"""The moderation queue page and the staff forms on posts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from accounts.pages import page
from accounts.session import require_user
from core.http import read_form
from core.paging import PageRequest, page_request
from courses.service import get_course
from forum import moderation
from forum.fragments import queue_more_items
from forum.queue_pages import QUEUE_LIMIT, queue_groups, queue_more_url, staff_queue_page
from forum.settings import forum_settings


async def moderate_form(request: Request) -> Response:
    user = await require_user(request)
    await moderation.staff_post(user, request.path_params["post_id"])  # rights, then body
    form = await read_form(request)
    await moderation.moderate(user, request.path_params["post_id"], form.get("action"),
                              form.get("reason"))
    return Response(status_code=204)


async def claim_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    await moderation.claim(user, request.path_params["post_id"], form.get("release") == "1")
    return Response(status_code=204)


async def ban_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    await moderation.ban_from_posting(
        user, request.path_params["course_id"], hours=form.get("hours"),
        reason=form.get("reason"), user_id=form.get("user_id"), post_id=form.get("post_id"))
    return Response(status_code=204)


async def moderation_page(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    choice = await queue_groups(user, course_id, request.query_params.get("group"))
    items, after = await staff_queue_page(user, course_id, PageRequest(QUEUE_LIMIT),
                                          choice.names)
    return await page(request, "forum/moderation.html", course=await get_course(course_id),
                      items=items, more=queue_more_url(course_id, after, choice.chosen),
                      group_choice=choice,
                      settings=await forum_settings(course_id),
                      live_topics=["user:me", f"course:{course_id}:staff"])


async def queue_more(request: Request) -> Response:
    """The queue items after a key and the next "load more" control: they replace the
    control that asked, so they land below the items already shown."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    choice = await queue_groups(user, course_id, request.query_params.get("group"))
    items, after = await staff_queue_page(user, course_id, page_request(
        request.query_params, default=QUEUE_LIMIT, maximum=QUEUE_LIMIT), choice.names)
    return HTMLResponse(queue_more_items(course_id, items,
                                         queue_more_url(course_id, after, choice.chosen)))
