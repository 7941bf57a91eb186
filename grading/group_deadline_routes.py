"""Per-group dates over HTTP: the JSON API under
/api/v1/courses/{id}/groups/{group_id}/deadlines and the gradebook's "Group dates" form."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.session import require_user
from core.errors import CoursewireError
from core.http import read_form, read_json, redirect
from courses.service import require_role
from grading import group_deadlines
from grading.routes import refused_form
from models.courses import Role
from models.groups import GroupDeadline


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def group_deadline_json(row: GroupDeadline) -> dict[str, Any]:
    return {"group_id": row.group_id, "block_id": row.block_id,  # type: ignore[attr-defined]
            "due_at": _iso(row.due_at), "opens_at": _iso(row.opens_at),
            "closes_at": _iso(row.closes_at)}


async def api_group_deadlines(request: Request) -> Response:
    """GET: the course's per-group dates (staff); PUT: set one group's dates for a block."""
    user = await require_user(request)
    course_id, group_id = request.path_params["course_id"], request.path_params["group_id"]
    await require_role(user, course_id, Role.TA)
    if request.method == "PUT":
        data = await read_json(request)
        row = await group_deadlines.set_group_deadline(
            user, course_id, group_id, str(data.get("block_id", "")), data.get("due_at"),
            data.get("opens_at"), data.get("closes_at"))
        return JSONResponse(group_deadline_json(row))
    rows = await group_deadlines.list_group_deadlines(user, course_id)
    return JSONResponse([group_deadline_json(r) for r in rows
                         if str(r.group_id) == group_id])  # type: ignore[attr-defined]


async def api_clear_group_deadline(request: Request) -> Response:
    user = await require_user(request)
    p = request.path_params
    await group_deadlines.clear_group_deadline(user, p["course_id"], p["group_id"],
                                               p["block_id"])
    return Response(status_code=204)


async def group_dates_form(request: Request) -> Response:
    """The gradebook's form: set (or, with `action=clear`, take back) a group's dates."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    await require_role(user, course_id, Role.TA)
    form = await read_form(request)
    try:
        if form.get("action") == "clear":
            await group_deadlines.clear_group_deadline(user, course_id, form.get("group_id"),
                                                       form.get("block_id", ""))
        else:
            await group_deadlines.set_group_deadline(
                user, course_id, form.get("group_id"), form.get("block_id", ""),
                form.get("due_at"), form.get("opens_at"), form.get("closes_at"),
                zone=user.timezone or "UTC")
    except CoursewireError as exc:
        return await refused_form(request, "group_dates", form, exc)
    return redirect(request, f"/courses/{course_id}/gradebook")


routes = [
    Route("/courses/{course_id}/gradebook/group-dates", group_dates_form, methods=["POST"]),
    Route("/api/v1/courses/{course_id}/groups/{group_id}/deadlines", api_group_deadlines,
          methods=["GET", "PUT"]),
    Route("/api/v1/courses/{course_id}/groups/{group_id}/deadlines/{block_id}",
          api_clear_group_deadline, methods=["DELETE"]),
]
