"""Groups over HTTP: the JSON API under /api/v1/courses/{id}/groups and the staff page
/courses/{id}/groups (instructors manage; TAs read)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import require_user
from core.errors import BadInput, CoursewireError
from core.http import read_form, read_json
from core.i18n import gettext as _
from courses import groups
from courses.service import get_course, require_role
from models.courses import Membership, Role
from models.groups import CourseGroup
from models.users import User


def group_json(group: CourseGroup, members: int | None = None,
               staff: list[User] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": group.id, "name": group.name}
    if members is not None:
        body["members"] = members
    if staff is not None:
        body["staff"] = [{"user_id": u.id, "name": u.name} for u in staff]
    return body


async def api_groups(request: Request) -> Response:
    """GET: the course's groups with member counts and staff (staff); POST: create one."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    if request.method == "POST":
        await require_role(user, course_id, Role.INSTRUCTOR)  # rights before the body
        data = await read_json(request)
        group = await groups.create_group(user, course_id, data.get("name"))
        staff = None
        if "staff" in data:
            staff = await groups.assign_staff(user, course_id, group.id, data["staff"])
        return JSONResponse(group_json(group, 0, staff or []), status_code=201)
    rows = await groups.list_groups(user, course_id)
    return JSONResponse([group_json(s.group, s.members, s.staff) for s in rows])


async def api_group(request: Request) -> Response:
    """PATCH: rename (`name`) and/or assign staff (`staff`: user ids); DELETE: delete."""
    user = await require_user(request)
    course_id, group_id = request.path_params["course_id"], request.path_params["group_id"]
    await require_role(user, course_id, Role.INSTRUCTOR)
    if request.method == "DELETE":
        await groups.delete_group(user, course_id, group_id)
        return Response(status_code=204)
    group = await groups.get_group(course_id, group_id)
    data = await read_json(request)
    if "name" not in data and "staff" not in data:
        raise BadInput(_("Send a new name, staff, or both."),
                       fields={"name": _("Required without staff.")})
    if "name" in data:
        group = await groups.rename_group(user, course_id, group.id, data["name"])
    if "staff" in data:
        await groups.assign_staff(user, course_id, group.id, data["staff"])
    summary = next(s for s in await groups.list_groups(user, course_id)
                   if s.group.id == group.id)
    return JSONResponse(group_json(summary.group, summary.members, summary.staff))


async def groups_page(request: Request) -> Response:
    """GET: the groups page (staff). POST (instructors): create, rename, delete, assign."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    role = await require_role(user, course_id, Role.TA)
    status, message, errors, form = 200, None, {}, {}
    if request.method == "POST":
        await require_role(user, course_id, Role.INSTRUCTOR)
        form = await read_form(request)
        try:
            message = await _apply(user, course_id, form, await request.form())
            form = {}
        except CoursewireError as exc:
            status, message, errors = exc.status, exc.message, exc.fields
    staff = await Membership.filter(course_id=course_id, role__in=[Role.TA, Role.INSTRUCTOR]
                                    ).prefetch_related("user").order_by("user__name")
    return await page(request, "courses/groups.html", status_code=status,
                      course=await get_course(course_id), course_id=course_id,
                      groups=await groups.list_groups(user, course_id),
                      course_staff=[m.user for m in staff], manage=role == Role.INSTRUCTOR,
                      message=message, errors=errors, form=form)


async def _apply(user: User, course_id: str, form: dict[str, str], raw: Any) -> str:
    action = form.get("action", "create")
    if action == "create":
        await groups.create_group(user, course_id, form.get("name"))
        return _("Group created.")
    if action == "rename":
        await groups.rename_group(user, course_id, form.get("group_id"), form.get("name"))
        return _("Group renamed.")
    if action == "delete":
        await groups.delete_group(user, course_id, form.get("group_id"))
        return _("Group deleted; its members now have no group.")
    if action == "assign":
        await groups.assign_staff(user, course_id, form.get("group_id"),
                                  [v for v in raw.getlist("staff") if isinstance(v, str)])
        return _("Staff assigned.")
    raise BadInput(_("Unknown action."), fields={"action": _("Unknown.")})


routes = [
    Route("/courses/{course_id}/groups", groups_page, methods=["GET", "POST"]),
    Route("/api/v1/courses/{course_id}/groups", api_groups, methods=["GET", "POST"]),
    Route("/api/v1/courses/{course_id}/groups/{group_id}", api_group,
          methods=["PATCH", "DELETE"]),
]
