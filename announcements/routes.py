"""Posting and listing announcements: an htmx form on the course page, and the API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import require_user
from announcements.events import announcement_json
from announcements.service import list_announcements, post_announcement
from core.errors import CoursewireError
from core.http import created, read_form, read_json
from core.i18n import gettext as _


async def post_form(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    form = await read_form(request)
    try:
        await post_announcement(user, course_id, form.get("title"), form.get("body"))
    except CoursewireError as exc:
        return await page(request, "announcements/_form.html", status_code=exc.status,
                          course_id=course_id, form=form, errors=exc.fields, message=exc.message)
    # The new item reaches this page like every other: over the socket.
    return await page(request, "announcements/_form.html", course_id=course_id, form={},
                      errors={}, message=_("Posted."))


async def api_announcements(request: Request) -> Response:
    """Announcements newest first (GET, members); post one (POST {title, body}, instructors)."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    if request.method == "GET":
        items = await list_announcements(user, course_id, limit=None)
        return JSONResponse([announcement_json(a) for a in items])
    data = await read_json(request)
    return created(announcement_json(
        await post_announcement(user, course_id, data.get("title"), data.get("body"))))


routes = [
    Route("/courses/{course_id}/announcements", post_form, methods=["POST"]),
    Route("/api/v1/courses/{course_id}/announcements", api_announcements,
          methods=["GET", "POST"]),
]
