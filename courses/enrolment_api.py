"""The enrolment API: members list, invites, CSV import (API.md, "Enrolment")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.session import require_user
from core.body_size import BodySize, limit_body
from core.http import created, read_json
from core.ids import MAX_ID
from core.paging import bad_after, link_headers, page_request
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


async def api_members(request: Request) -> Response:
    """The course's members by user id (staff), paged by keyset (`?limit=`, `?after=`,
    a `Link` header)."""
    user = await require_user(request)
    page = page_request(request.query_params, default=DEFAULT_LIMIT, maximum=MAX_LIMIT)
    key = page.key(1)
    if key and key[0] > MAX_ID:
        raise bad_after()
    members, more = await list_members(user, request.path_params["course_id"],
                                       key[0] if key else 0, page.limit)
    after = (members[-1].user_id,) if more else None
    return JSONResponse([member_json(m) for m in members],
                        headers=link_headers(request.url, after))


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
