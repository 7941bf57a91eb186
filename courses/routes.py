"""Course creation, member management (pages) and the courses API.

The dashboard and the course home page show other packages' work (announcements, the
outline), so the shell composes them (app/pages.py).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import require_user
from core.errors import CoursewireError
from core.http import created, read_form, read_json, redirect
from core.i18n import gettext as _
from core.ids import id_or_not_found
from courses import service
from models.courses import Course, Membership, Role


def course_json(course: Course, role: Role | None = None) -> dict[str, object]:
    data: dict[str, object] = {"id": course.id, "org": course.org, "number": course.number,
                               "run": course.run, "title": course.title}
    if role is not None:
        data["role"] = role.value
    return data


def membership_json(m: Membership) -> dict[str, object]:
    return {"user_id": m.user_id, "course_id": m.course_id, "role": m.role.value,
            "group": m.group}


async def new_course_page(request: Request) -> Response:
    user = await require_user(request)
    if request.method == "GET":
        return await page(request, "courses/new.html", form={}, errors={})
    form = await read_form(request)
    try:
        course = await service.create_course(user, form.get("org"), form.get("number"),
                                             form.get("run"), form.get("title"))
    except CoursewireError as exc:
        return await page(request, "courses/new.html", status_code=exc.status, form=form,
                          errors=exc.fields, message=exc.message)
    return redirect(request, f"/courses/{course.id}")


async def api_courses(request: Request) -> Response:
    """List the caller's courses (GET) or create one (POST {org, number, run, title})."""
    user = await require_user(request)
    if request.method == "GET":
        return JSONResponse([course_json(c, r) for c, r in await service.courses_of(user)])
    data = await read_json(request)
    course = await service.create_course(user, data.get("org"), data.get("number"),
                                         data.get("run"), data.get("title"))
    return created(course_json(course, Role.INSTRUCTOR))


async def api_member(request: Request) -> Response:
    """Set a member's role, and group when given (instructors) — PUT {role, group?}."""
    user = await require_user(request)
    data = await read_json(request)
    member_id = id_or_not_found(request.path_params["user_id"],
                                _("No user %(user)r.", user=request.path_params["user_id"]))
    membership = await service.set_member_role(
        user, request.path_params["course_id"], member_id, data.get("role"), data.get("group"))
    return JSONResponse(membership_json(membership))


routes = [
    Route("/courses/new", new_course_page, methods=["GET", "POST"]),
    Route("/api/v1/courses", api_courses, methods=["GET", "POST"]),
    Route("/api/v1/courses/{course_id}/members/{user_id}", api_member, methods=["PUT"]),
]
