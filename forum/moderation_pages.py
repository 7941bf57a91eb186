"""The moderation queue page and the staff forms on posts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from accounts.pages import page
from accounts.session import require_user
from core.http import read_form
from courses.service import get_course
from forum import moderation, queries
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
    items = await queries.staff_moderation_queue(user, course_id)
    return await page(request, "forum/moderation.html", course=await get_course(course_id),
                      items=items, settings=await forum_settings(course_id),
                      live_topics=["user:me", f"course:{course_id}:staff"])
