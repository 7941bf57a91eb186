"""The pages that put several packages together: the dashboard and a course's home page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import current_user, require_user
from announcements.service import list_announcements
from courses import service
from courses.catalogue_pages import join_page
from courseware.events import outline_html
from courseware.service import outline_for_viewer


async def dashboard(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return await page(request, "home.html")
    courses = await service.courses_of(user)
    cards = [(c, role, await list_announcements(user, c.id)) for c, role in courses]
    return await page(request, "courses/dashboard.html", cards=cards,
                      live_topics=["user:me", *(f"course:{c.id}" for c, _ in courses)])


async def course_page(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    if not user.is_admin and await service.role_in(user, course_id) is None:
        return await join_page(request, course_id)  # an open course says how to join
    role = await service.require_role(user, course_id)
    course = await service.get_course(course_id)
    return await page(request, "courses/course.html", course=course, role=role,
                      announcements=await list_announcements(user, course_id),
                      outline_html=outline_html(course_id,
                                                await outline_for_viewer(user, course_id),
                                                oob=False),
                      live_topics=["user:me", f"course:{course_id}"])


routes = [
    Route("/", dashboard),
    Route("/courses/{course_id}", course_page),  # after courses' own /courses/new
]
