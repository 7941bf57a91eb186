"""Dashboard, course creation, member management (pages) and the courses API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.announcements.service import list_announcements
from app.auth.session import current_user, require_user
from app.content.events import outline_html
from app.content.service import outline_of
from app.courses import service
from app.errors import BadInput, CoursewireError, NotFound
from app.http import created, page, read_form, read_json, redirect
from app.ids import parse_id
from models.courses import Course, Membership, Role


def course_json(course: Course, role: Role | None = None) -> dict[str, object]:
    data: dict[str, object] = {"id": course.id, "org": course.org, "number": course.number,
                               "run": course.run, "title": course.title}
    if role is not None:
        data["role"] = role.value
    return data


def membership_json(m: Membership) -> dict[str, object]:
    return {"user_id": m.user_id, "course_id": m.course_id, "role": m.role.value}


async def dashboard(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return await page(request, "home.html")
    courses = await service.courses_of(user)
    cards = [(c, role, await list_announcements(user, c.id)) for c, role in courses]
    return await page(request, "courses/dashboard.html", cards=cards,
                      live_topics=["user:me", *(f"course:{c.id}" for c, _ in courses)])


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


async def course_page(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    role = await service.require_role(user, course_id)
    course = await service.get_course(course_id)
    return await page(request, "courses/course.html", course=course, role=role,
                      announcements=await list_announcements(user, course_id),
                      outline_html=outline_html(course_id, await outline_of(course_id),
                                                oob=False),
                      live_topics=["user:me", f"course:{course_id}"])


async def members_page(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    await service.require_role(user, course_id, Role.INSTRUCTOR)
    message, errors, status = None, {}, 200
    if request.method == "POST":
        form = await read_form(request)
        try:
            if form.get("action") == "remove":
                await service.remove_member(user, course_id, _int(form.get("user_id")))
            elif form.get("user_id"):
                await service.set_member_role(user, course_id, _int(form.get("user_id")),
                                              form.get("role"))
            else:
                await service.add_member_by_email(user, course_id, form.get("email"),
                                                  form.get("role"))
            message = "Saved."
        except CoursewireError as exc:
            message, errors, status = exc.message, exc.fields, exc.status
    return await page(request, "courses/members.html", status_code=status,
                      course=await service.get_course(course_id),
                      members=await service.members_of(course_id), roles=list(Role),
                      message=message, errors=errors)


def _int(value: object) -> int:
    number = parse_id(value)
    if number is not None:
        return number
    raise BadInput("Expected a numeric user id.", fields={"user_id": "Not a number."})


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
    """Set a member's role (instructors) — PUT {role}."""
    user = await require_user(request)
    data = await read_json(request)
    member_id = parse_id(request.path_params["user_id"])
    if member_id is None:
        raise NotFound(f"No user {request.path_params['user_id']!r}.")
    membership = await service.set_member_role(
        user, request.path_params["course_id"], member_id, data.get("role"))
    return JSONResponse(membership_json(membership))


routes = [
    Route("/", dashboard),
    Route("/courses/new", new_course_page, methods=["GET", "POST"]),
    Route("/courses/{course_id}", course_page),
    Route("/courses/{course_id}/members", members_page, methods=["GET", "POST"]),
    Route("/api/v1/courses", api_courses, methods=["GET", "POST"]),
    Route("/api/v1/courses/{course_id}/members/{user_id}", api_member, methods=["PUT"]),
]
