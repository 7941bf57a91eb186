"""The student's peer review page, its panel on the unit page and its htmx forms."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from accounts.pages import page
from accounts.session import require_user
from content_store.blocks.base import markdown_html
from core.errors import CoursewireError, NotFound
from core.templating import render
from courses.service import get_course, require_role
from models.courses import Role
from peer_review import assessments, fragments, queries, responses
from peer_review.assignment import open_assignment, request_review
from peer_review.inputs import fragment_response, path_id, rubric_input


async def student_page(request: Request) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    role = await require_role(user, course_id, Role.STUDENT)
    view = await queries.student_view(user.id, course_id, block_id)
    return await page(request, "peer_review/page.html", course=await get_course(course_id),
                      view=view, prompt_html=markdown_html(view.block.prompt),
                      staff=role != Role.STUDENT,
                      live_topics=["user:me", fragments.page_topic(course_id, block_id)])


def typed_back(form: Mapping[str, object]) -> dict[str, str]:
    """A refused form's text fields, to fill the form in again."""
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def unit_panel(request: Request) -> Response:
    """The block's panel on its unit page: the student's response and review work, kept
    live by the same pushed fragments as the peer review page (same region ids)."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    await require_role(user, course_id, Role.STUDENT)
    view = await queries.student_view(user.id, course_id, block_id)
    return fragment_response("peer_review/_panel.html", view=view)


async def response_form(request: Request) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    form = await request.form()
    upload = form.get("file")
    file = None
    if isinstance(upload, UploadFile) and upload.filename:
        file = (upload.filename, upload.content_type or "application/octet-stream",
                await upload.read())
    try:
        await responses.submit_response(user, course_id, block_id, form.get("text"), file)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        view = await queries.student_view(user.id, course_id, block_id)
        return fragment_response("peer_review/_mine.html", exc.status, view=view,
                                 error=exc.message, typed={"text": form.get("text") or ""})
    # Both panels change: the response panel here, the review panel out of band.
    view = await queries.student_view(user.id, course_id, block_id)
    return HTMLResponse(render("peer_review/_mine.html", view=view, oob=False)
                        + fragments.work_html(view))


async def next_form(request: Request) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    error, status = None, 200
    try:
        await request_review(user, course_id, block_id)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        error, status = exc.message, exc.status
    view = await queries.student_view(user.id, course_id, block_id)
    return fragment_response("peer_review/_work.html", status, view=view, error=error)


async def assessment_form(request: Request) -> Response:
    user = await require_user(request)
    assignment = await queries.get_assignment(user, path_id(request.path_params["assignment_id"],
                                                            "assignment"))
    form = await request.form()
    scores, overall, per = rubric_input(form)
    error, errors, status, typed = None, {}, 200, None
    try:
        await assessments.submit_assessment(user, assignment.id, scores, overall, per)
        view = await queries.student_view(user.id, assignment.course_id, assignment.block_id)
        if view.given < view.block.must_grade:
            await request_review(user, assignment.course_id, assignment.block_id)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        error, errors, status, typed = exc.message, exc.fields, exc.status, typed_back(form)
    view = await queries.student_view(user.id, assignment.course_id, assignment.block_id)
    return fragment_response("peer_review/_work.html", status, view=view, error=error,
                             errors=errors, typed=typed)


async def open_form(request: Request) -> Response:
    """The reviewer is there (first click, key or scroll) on work pushed to them: the
    full lease starts; answer with the inert marker and the new expiry (out of band)."""
    user = await require_user(request)
    assignment = await open_assignment(
        user, path_id(request.path_params["assignment_id"], "assignment"))
    view = await queries.student_view(user.id, assignment.course_id, assignment.block_id)
    return HTMLResponse(render("peer_review/_opener.html", view=view)
                        + render("peer_review/_expiry.html", view=view, expiry_oob=True))


async def self_assessment_form(request: Request) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    form = await request.form()
    scores, overall, per = rubric_input(form)
    error, errors, status, typed = None, {}, 200, None
    try:
        await assessments.self_assess(user, course_id, block_id, scores, overall, per)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        error, errors, status, typed = exc.message, exc.fields, exc.status, typed_back(form)
    view = await queries.student_view(user.id, course_id, block_id)
    return fragment_response("peer_review/_mine.html", status, view=view, error=error,
                             errors=errors, typed=typed)
