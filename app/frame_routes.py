"""Putting the course frame on course pages, and the pages and toggles it links to.

`CourseFrameMiddleware` recognises a course page by its path (the table below), builds
the frame (app/course_frame.py) for the signed-in member and leaves it in the request's
state, where base.html finds it; domains' routes stay unaware of it. It also applies
"view as student": while a staff member's session has it on for a course, page requests
read the course as a student (courses.student_view) and writes are refused, so nobody
acts as a student by accident.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from contextlib import nullcontext

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from accounts.pages import page
from accounts.session import current_user, require_user
from announcements.service import list_announcements
from app.course_frame import course_frame
from core.errors import CoursewireError, PermissionDenied
from core.http import read_form, redirect
from core.i18n import gettext as _
from courses.audience import STAFF_ROLES
from courses.service import require_role, role_in
from courses.student_view import previewing_as_student
from courseware.events import outline_html
from courseware.service import outline_for_viewer
from grading.outline_marks import mark_html, student_marks
from models.courses import Role
from models.forum import Thread

_COURSE = re.compile(r"^/courses/(?P<course>[^/]+)(?P<rest>/.*)?$")
_THREAD = re.compile(r"^/forum/threads/(?P<id>\d+)$")
# Path after /courses/<id> -> the section of the navigation it belongs to.
_SECTIONS = [
    (re.compile(r"^/?$"), "outline"),
    (re.compile(r"^/units/(?P<unit>[^/]+)$"), "outline"),
    (re.compile(r"^/progress$"), "progress"),
    (re.compile(r"^/forum/moderation$"), "moderation"),
    (re.compile(r"^/forum(/search|/older)?$"), "forum"),
    (re.compile(r"^/announcements$"), "announcements"),
    (re.compile(r"^/gradebook$"), "gradebook"),
    (re.compile(r"^/peer-review/[^/]+/board$"), "board"),
    (re.compile(r"^/peer-review/[^/]+(/responses/[^/]+)?$"), "outline"),
    (re.compile(r"^/studio(/.*)?$"), "studio"),
    (re.compile(r"^/members$"), "members"),
    (re.compile(r"^/groups$"), "members"),
    (re.compile(r"^/lti/scores$"), "gradebook"),
]
PREVIEW_KEY = "student_view"  # session: the course ids previewed as a student
TOGGLE = re.compile(r"^/courses/[^/]+/student-view$")


def _section(rest: str) -> tuple[str, str | None] | None:
    for pattern, section in _SECTIONS:
        if m := pattern.match(rest):
            return section, m.groupdict().get("unit")
    return None


class CourseFrameMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        course_id, rest = None, ""
        if (m := _COURSE.match(path)) and m["course"] != "new":
            course_id, rest = m["course"], m["rest"] or ""
        elif (t := _THREAD.match(path)) and scope["method"] == "GET":
            course_id, rest = await _thread_course(int(t["id"])), "/forum"
        previewed = course_id is not None and course_id in _previews(scope)
        if previewed and scope["method"] not in ("GET", "HEAD") and not TOGGLE.match(path):
            message = _("You are viewing this course as a student: switch back to the "
                        "staff view to make changes.")
            await JSONResponse({"error": message}, status_code=403)(scope, receive, send)
            return
        with previewing_as_student(course_id) if previewed and course_id else nullcontext():
            if course_id and scope["method"] == "GET":
                await self._frame(scope, course_id, rest)
            await self.app(scope, receive, send)

    async def _frame(self, scope: Scope, course_id: str, rest: str) -> None:
        request = Request(scope)
        if request.headers.get("hx-request") == "true":
            return  # a fragment, not a page
        found = _section(rest)
        if found is None:
            return
        try:
            user = await current_user(request)
        except CoursewireError:
            return
        if user is None:
            return
        section, unit_id = found
        frame = await course_frame(user, course_id, section, unit_id=unit_id)
        state = scope.setdefault("state", {})
        state["course_frame"] = frame
        if frame is not None:  # the route's role check may use the frame's read
            state["membership"] = frame.membership


def with_student_view(endpoint: Callable[[WebSocket], Awaitable[None]]
                      ) -> Callable[[WebSocket], Awaitable[None]]:
    """The page socket (`/ws`) of a session viewing courses as a student reads those
    courses as a student for its whole life: topics are authorized, resyncs rendered and
    frames delivered for the student audience, never the staff's. (Switching the view
    reloads the page, which opens a new socket.)"""

    async def serve(websocket: WebSocket) -> None:
        with previewing_as_student(*[c for c in _previews(websocket.scope)
                                     if isinstance(c, str)]):
            await endpoint(websocket)

    return serve


def _previews(scope: Scope) -> list[str]:
    session = scope.get("session") or {}
    value = session.get(PREVIEW_KEY)
    return value if isinstance(value, list) else []


async def _thread_course(thread_id: int) -> str | None:
    row = await Thread.filter(id=thread_id).values_list("course_id", flat=True)
    return row[0] if row else None


# -- the pages and toggles the frame links to -------------------------------------------

async def outline_fragment(request: Request) -> Response:
    """The course outline with the viewer's unit marks: what a pushed outline loads."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    outline = await outline_for_viewer(user, course_id)  # released parts only, for students
    marks = {unit_id: mark_html(mark, oob=False)
             for unit_id, mark in (await student_marks(course_id, user.id)).items()}
    return HTMLResponse(outline_html(course_id, outline, oob=False, marks=marks))


async def announcements_page(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    role = await require_role(user, course_id)
    return await page(request, "courses/announcements.html", course_id=course_id,
                      instructor=role == Role.INSTRUCTOR,
                      announcements=await list_announcements(user, course_id),
                      live_topics=["user:me", f"course:{course_id}"])


async def student_view_toggle(request: Request) -> Response:
    """Staff turn "view as student" on or off for one course (a session setting)."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    real = Role.INSTRUCTOR if user.is_admin else await role_in(user, course_id)
    if real not in STAFF_ROLES:
        await require_role(user, course_id)  # an outsider gets "No course"
        raise PermissionDenied(_("Only staff can view the course as a student."))
    form = await read_form(request)
    previews = [c for c in request.session.get(PREVIEW_KEY, []) if c != course_id]
    if form.get("on") == "1":
        previews.append(course_id)
    request.session[PREVIEW_KEY] = previews
    back = form.get("next") or f"/courses/{course_id}"
    return redirect(request, back if back.startswith(f"/courses/{course_id}") else
                    f"/courses/{course_id}")


routes = [
    Route("/courses/{course_id}/outline", outline_fragment),
    Route("/courses/{course_id}/announcements", announcements_page),
    Route("/courses/{course_id}/student-view", student_view_toggle, methods=["POST"]),
]
