"""The enrolment API: members list, invites, CSV import (API.md, "Enrolment")."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.session import require_user
from core.body_size import BodySize, limit_body
from core.errors import BadInput
from core.http import created, read_json
from core.ids import parse_id
from courses.invites import accept_invite, create_invite
from courses.member_import import import_members
from courses.service import list_members, require_role
from models.courses import Membership, Role

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


def member_json(m: Membership) -> dict[str, object]:
    return {"user_id": m.user_id, "name": m.user.name, "email": m.user.email,
            "role": m.role.value, "group": m.group}


def invite_url(request: Request, code: str) -> str:
    return str(request.url_for("invite_page", code=code))


def _query_int(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    number = parse_id(raw)
    if number is None or (maximum is not None and number > maximum):
        bound = f"from 1 to {maximum}" if maximum else "a positive whole number"
        raise BadInput(f"`{name}` must be {bound}.", fields={name: bound})
    return number


async def api_members(request: Request) -> Response:
    """The course's members by user id (staff), paged by `?limit=` with a `Link` header."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    limit = _query_int(request, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    after = _query_int(request, "after", 0)
    members, more = await list_members(user, course_id, after, limit)
    headers = {}
    if more:
        query = urlencode({"limit": limit, "after": members[-1].user_id})
        headers["Link"] = f'<{request.url.replace(query=query)}>; rel="next"'
    return JSONResponse([member_json(m) for m in members], headers=headers)


async def api_invites(request: Request) -> Response:
    """Make an invite link (instructors): {role, max_uses?, expires_at?} -> {code, url}."""
    user = await require_user(request)
    await require_role(user, request.path_params["course_id"], Role.INSTRUCTOR)  # before the body
    data = await read_json(request)
    invite = await create_invite(user, request.path_params["course_id"], data.get("role"),
                                 data.get("max_uses"), data.get("expires_at"))
    return created({"code": invite.code, "url": invite_url(request, invite.code),
                    "role": invite.role.value, "max_uses": invite.max_uses,
                    "expires_at": invite.expires_at.isoformat() if invite.expires_at else None})


async def api_accept_invite(request: Request) -> Response:
    """Join the invite's course (anyone signed in); 410 once used up, expired or revoked."""
    user = await require_user(request)
    membership = await accept_invite(user, request.path_params["code"])
    return JSONResponse({"course_id": membership.course_id, "role": membership.role.value})


async def api_import_members(request: Request) -> Response:
    """Enrol the members of a CSV body (instructors): the valid lines, with per-line errors."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    await require_role(user, course_id, Role.INSTRUCTOR)  # before reading the body
    result = await import_members(user, course_id, await request.body())
    return JSONResponse(result.as_json())


routes = [
    Route("/api/v1/courses/{course_id}/members", api_members, methods=["GET"]),
    limit_body(BodySize.UPLOAD, Route("/api/v1/courses/{course_id}/members/import",
                                      api_import_members, methods=["POST"])),
    Route("/api/v1/courses/{course_id}/invites", api_invites, methods=["POST"]),
    Route("/api/v1/invites/{code}/accept", api_accept_invite, methods=["POST"]),
]
