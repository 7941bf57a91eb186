"""The members page (staff; instructors manage): the live table, invites, CSV import and the
catalogue setting. Each form answers an htmx request with its own section, so what was
typed stays in place with the reason when something is refused."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import require_user
from core.body_size import BodySize, limit_body
from core.errors import BadInput, CoursewireError
from core.http import read_form
from core.i18n import gettext as _
from core.ids import parse_id
from core.paging import PageRequest, page_request
from courses import service
from courses.catalogue import set_self_enrolment
from courses.enrolment_api import invite_url
from courses.events import role_names
from courses.invites import create_invite, open_invites, revoke_invite
from courses.member_csv import MAX_BYTES
from courses.member_import import import_members
from courses.member_pages import (
    MEMBERS_LIMIT,
    changed_rows,
    members_page,
    more_url,
    rows_html,
)
from models.courses import Role
from models.users import User


async def _render(request: Request, user: User, fragment: str | None = None,
                  status: int = 200, **context: Any) -> Response:
    """The members page, or only `fragment` (one section) for an htmx request."""
    course_id = request.path_params["course_id"]
    role = await service.require_role(user, course_id, Role.TA)
    manage = role == Role.INSTRUCTOR
    invites = await open_invites(user, course_id) if manage else []
    members, after, counts = await members_page(course_id, PageRequest(MEMBERS_LIMIT))
    values: dict[str, Any] = {
        "course": await service.get_course(course_id), "course_id": course_id,
        "members": members, "more": more_url(course_id, after), "census": counts,
        "manage": manage, "roles": list(Role),
        "role_names": role_names(), "live_topics": [f"members:{course_id}"],
        "invites": invites, "new_invite_url": None,
        "form": {}, "errors": {}, "message": None, "import_result": None,
    }
    values.update(context)
    htmx = request.headers.get("hx-request") == "true"
    template = fragment if htmx and fragment else "courses/members.html"
    return await page(request, template, status_code=status, **values)


async def members_form_page(request: Request) -> Response:
    """GET: the page (staff). POST (instructors): add by email, change role/group, remove."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    if request.method == "GET":
        return await _render(request, user)
    await service.require_role(user, course_id, Role.INSTRUCTOR)
    form = await read_form(request)
    try:
        if form.get("action") == "remove":
            changed = _user_id(form)
            await service.remove_member(user, course_id, changed)
            message, placed = _("Saved."), False
        elif form.get("user_id"):
            changed = _user_id(form)
            await service.set_member_role(user, course_id, changed, form.get("role"),
                                          form.get("group"))
            message, placed = _("Saved."), False
        else:
            added = await service.add_member_by_email(user, course_id, form.get("email"),
                                                      form.get("role"))
            form, message, changed, placed = {}, _("Added."), added.user_id, True
    except CoursewireError as exc:
        return await _render(request, user, "courses/_members_status.html", exc.status,
                             form=form, errors=exc.fields, message=exc.message)
    # The acting instructor's table changes with the answer (the socket brings the same).
    rows = await changed_rows(course_id, [changed], manage=True,
                              placed=[changed] if placed else [])
    return await _render(request, user, "courses/_members_status.html", form=form,
                         message=message, changed_rows=rows)


async def member_rows(request: Request) -> Response:
    """The members after a key and the next "load more" control (staff): they replace the
    control that asked, so they land below the rows already shown."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    role = await service.require_role(user, course_id, Role.TA)
    members, after, _total = await members_page(course_id, page_request(
        request.query_params, default=MEMBERS_LIMIT, maximum=MEMBERS_LIMIT))
    return HTMLResponse(rows_html(course_id, members, more_url(course_id, after),
                                  manage=role == Role.INSTRUCTOR))


async def invites_form(request: Request) -> Response:
    """Make an invite link, or revoke one (`action=revoke`, `invite_id`) (instructors)."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    await service.require_role(user, course_id, Role.INSTRUCTOR)
    form = await read_form(request)
    try:
        if form.get("action") == "revoke":
            await revoke_invite(user, course_id, form.get("invite_id"))
            message = _("The link no longer works.")
        else:
            invite = await create_invite(user, course_id, form.get("role"),
                                         form.get("max_uses"), form.get("expires_at"),
                                         zone_name=user.timezone)
            return await _render(request, user, "courses/_invites.html",
                                 message=_("Invite link created."),
                                 new_invite_url=invite_url(request, invite.code))
    except CoursewireError as exc:
        return await _render(request, user, "courses/_invites.html", exc.status, form=form,
                             errors=exc.fields, message=exc.message)
    return await _render(request, user, "courses/_invites.html", message=message)


async def import_form(request: Request) -> Response:
    """Enrol from a CSV file or pasted text (instructors); shows the per-line errors."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    await service.require_role(user, course_id, Role.INSTRUCTOR)
    form = await request.form()
    pasted = form.get("csv")
    upload = form.get("file")
    text = pasted if isinstance(pasted, str) else ""
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(MAX_BYTES + 1)
        elif text.strip():
            data = text.encode()
        else:
            raise BadInput(_("Choose a CSV file or paste its lines."),
                           fields={"csv": _("Choose a file or paste the lines.")})
        result = await import_members(user, course_id, data)
    except CoursewireError as exc:
        return await _render(request, user, "courses/_member_import.html", exc.status,
                             form={"csv": text}, errors=exc.fields, message=exc.message)
    # Keep only the lines that failed in the box, so they can be fixed and sent again.
    failed = {e.line for e in result.errors}
    kept = [line for n, line in enumerate(text.splitlines(), start=1) if n in failed]
    keep = "\n".join([text.splitlines()[0], *kept]) if kept else ""
    return await _render(request, user, "courses/_member_import.html",
                         form={"csv": keep}, import_result=result)


async def self_enrolment_form(request: Request) -> Response:
    """Open the course in the catalogue, or close it (instructors)."""
    user = await require_user(request)
    form = await read_form(request)
    course = await set_self_enrolment(user, request.path_params["course_id"],
                                      form.get("self_enrolment") == "on")
    message = (_("Listed in the course catalogue: anyone signed in can join as a student.")
               if course.self_enrolment else _("Not listed: people join by invite only."))
    return await _render(request, user, "courses/_self_enrolment.html", course=course,
                         message=message)


def _user_id(form: dict[str, str]) -> int:
    number = parse_id(form.get("user_id"))
    if number is None:
        raise BadInput(_("Expected a numeric user id."), fields={"user_id": _("Not a number.")})
    return number


routes = [
    Route("/courses/{course_id}/members", members_form_page, methods=["GET", "POST"]),
    Route("/courses/{course_id}/members/rows", member_rows),
    Route("/courses/{course_id}/members/invites", invites_form, methods=["POST"]),
    limit_body(BodySize.UPLOAD, Route("/courses/{course_id}/members/import", import_form,
                                      methods=["POST"])),
    Route("/courses/{course_id}/self-enrolment", self_enrolment_form, methods=["POST"]),
]
