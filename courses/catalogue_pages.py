"""Getting into a course from a browser: the catalogue, self-enrolment and invite links."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import current_user, require_user
from core.errors import CoursewireError
from core.http import redirect
from courses.catalogue import open_course, open_courses, self_enrol
from courses.events import role_names
from courses.invites import accept_invite, find_invite, why_ended
from courses.service import role_in


async def catalogue_page(request: Request) -> Response:
    """Courses open for self-enrolment; signed-in users see which they are already in."""
    user = await current_user(request)
    courses = await open_courses()
    joined = {c.id for c in courses if user and await role_in(user, c.id)}
    return await page(request, "courses/catalogue.html", courses=courses, joined=joined)


async def enrol_form(request: Request) -> Response:
    """Join an open course as a student, then go to it."""
    user = await require_user(request)
    membership = await self_enrol(user, request.path_params["course_id"])
    return redirect(request, f"/courses/{membership.course_id}")


async def join_page(request: Request, course_id: str) -> Response:
    """A course's page for a signed-in visitor: join it if it is open, else 404 as for any
    course the visitor is not in."""
    course = await open_course(course_id)
    return await page(request, "courses/join.html", course=course)


async def invite_page(request: Request) -> Response:
    """GET: what the invite offers, with sign-in / sign-up for visitors. POST: accept it."""
    code = request.path_params["code"]
    user = await (require_user if request.method == "POST" else current_user)(request)
    invite = await find_invite(code)
    if request.method == "POST":
        try:
            membership = await accept_invite(user, code)
        except CoursewireError as exc:
            return await _invite(request, invite, exc.status, exc.message)
        return redirect(request, f"/courses/{membership.course_id}")
    ended = why_ended(invite)
    member_role = await role_in(user, invite.course_id) if user else None
    return await _invite(request, invite, 410 if ended and not member_role else 200, ended,
                         member_role=member_role)


async def _invite(request: Request, invite: object, status: int, message: str | None,
                  **context: object) -> Response:
    return await page(request, "courses/invite.html", status_code=status, invite=invite,
                      role_names=role_names(), message=message, errors={}, **context)


routes = [
    Route("/catalogue", catalogue_page, methods=["GET"]),
    Route("/courses/{course_id}/enrol", enrol_form, methods=["POST"]),
    Route("/invites/{code}", invite_page, methods=["GET", "POST"], name="invite_page"),
]
