"""Peer review over HTTP: the student page and its htmx forms, the staff board, the JSON
API of API.md ("Peer review"). Each route reads the request, calls one service, renders."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from app.auth.session import require_user
from app.courses.service import get_course, require_role
from app.errors import BadInput, CoursewireError, NotFound
from app.http import created, page, read_json, redirect
from app.ids import parse_id
from app.openapi import add_paths
from app.templating import render
from content_store.blocks.base import markdown_html
from models.courses import Role
from models.peer_review import PeerAssignment, PeerResponse, ScheduledAllocation
from models.users import User
from peer_review import allocation, events, service, views
from peer_review.blocks import peer_block
from peer_review.openapi import PATHS

add_paths(PATHS)


def _id(value: str, what: str) -> int:
    number = parse_id(value)
    if number is None:
        raise NotFound(f"No {what} {value!r}.")
    return number


def _rubric_input(form: Any) -> tuple[dict[str, str], str, dict[str, str]]:
    scores = {k.removeprefix("score."): v for k, v in form.items()
              if k.startswith("score.") and isinstance(v, str)}
    per = {k.removeprefix("feedback."): v for k, v in form.items()
           if k.startswith("feedback.") and isinstance(v, str)}
    overall = form.get("feedback", "")
    return scores, overall if isinstance(overall, str) else "", per


def _fragment(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(template, oob=False, **context), status_code=status)


# -- student page --------------------------------------------------------------------

async def student_page(request: Request) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    role = await require_role(user, course_id, Role.STUDENT)
    view = await views.student_view(user.id, course_id, block_id)
    return await page(request, "peer_review/page.html", course=await get_course(course_id),
                      view=view, prompt_html=markdown_html(view.block.prompt),
                      staff=role != Role.STUDENT,
                      live_topics=["user:me", events.page_topic(course_id, block_id)])


async def unit_panel(request: Request) -> Response:
    """The block's panel on its unit page: the student's response and review work, kept
    live by the same pushed fragments as the peer review page (same region ids)."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    await require_role(user, course_id, Role.STUDENT)
    view = await views.student_view(user.id, course_id, block_id)
    return _fragment("peer_review/_panel.html", view=view)


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
        await service.submit_response(user, course_id, block_id, form.get("text"), file)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        view = await views.student_view(user.id, course_id, block_id)
        return _fragment("peer_review/_mine.html", exc.status, view=view, error=exc.message)
    # Both panels change: the response panel here, the review panel out of band.
    view = await views.student_view(user.id, course_id, block_id)
    return HTMLResponse(render("peer_review/_mine.html", view=view, oob=False)
                        + events.work_html(view))


async def next_form(request: Request) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    error, status = None, 200
    try:
        await service.request_review(user, course_id, block_id)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        error, status = exc.message, exc.status
    view = await views.student_view(user.id, course_id, block_id)
    return _fragment("peer_review/_work.html", status, view=view, error=error)


async def assessment_form(request: Request) -> Response:
    user = await require_user(request)
    assignment = await service.get_assignment(user, _id(request.path_params["assignment_id"],
                                                         "assignment"))
    scores, overall, per = _rubric_input(await request.form())
    error, errors, status = None, {}, 200
    try:
        await service.submit_assessment(user, assignment.id, scores, overall, per)
        view = await views.student_view(user.id, assignment.course_id, assignment.block_id)
        if view.given < view.block.must_grade:
            await service.request_review(user, assignment.course_id, assignment.block_id)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        error, errors, status = exc.message, exc.fields, exc.status
    view = await views.student_view(user.id, assignment.course_id, assignment.block_id)
    return _fragment("peer_review/_work.html", status, view=view, error=error, errors=errors)


async def open_form(request: Request) -> Response:
    """The reviewer is there (first click, key or scroll) on work pushed to them: the
    full lease starts; answer with the inert marker and the new expiry (out of band)."""
    user = await require_user(request)
    assignment = await service.open_assignment(
        user, _id(request.path_params["assignment_id"], "assignment"))
    view = await views.student_view(user.id, assignment.course_id, assignment.block_id)
    return HTMLResponse(render("peer_review/_opener.html", view=view)
                        + render("peer_review/_expiry.html", view=view, expiry_oob=True))


async def self_assessment_form(request: Request) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    scores, overall, per = _rubric_input(await request.form())
    error, errors, status = None, {}, 200
    try:
        await service.self_assess(user, course_id, block_id, scores, overall, per)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        error, errors, status = exc.message, exc.fields, exc.status
    view = await views.student_view(user.id, course_id, block_id)
    return _fragment("peer_review/_mine.html", status, view=view, error=error, errors=errors)


# -- staff pages ---------------------------------------------------------------------

async def board_page(request: Request) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    await require_role(user, course_id, Role.TA)
    return await page(request, "peer_review/board.html", course=await get_course(course_id),
                      board=await views.board_view(course_id, block_id),
                      allocation=await ScheduledAllocation.get_or_none(
                          course_id=course_id, block_id=block_id),
                      live_topics=[f"course:{course_id}:staff",
                                   events.page_topic(course_id, block_id)])


async def response_page(request: Request, message: str = "", status: int = 200) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    await require_role(user, course_id, Role.TA)
    response = await PeerResponse.get_or_none(
        id=_id(request.path_params["response_id"], "response"), course_id=course_id,
        block_id=block_id)
    if response is None:
        raise NotFound("No such response.")
    assessments = await PeerAssignment.filter(response_id=response.id).order_by("id")
    names = {u.id: u.name for u in await User.filter(
        id__in=[a.reviewer_id for a in assessments] + [response.author_id])}
    return await page(request, "peer_review/response.html", status_code=status,
                      course=await get_course(course_id),
                      block=await peer_block(course_id, block_id), response=response,
                      author=await User.get(id=response.author_id), assessments=assessments,
                      names=names, message=message)


def _board_url(request: Request) -> str:
    p = request.path_params
    return f"/courses/{p['course_id']}/peer-review/{p['block_id']}/board"


async def staff_assessment_form(request: Request) -> Response:
    user = await require_user(request)
    scores, overall, per = _rubric_input(await request.form())
    try:
        await service.staff_assess(user, _id(request.path_params["response_id"], "response"),
                                   scores, overall, per)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        return await response_page(request, exc.message, exc.status)
    return redirect(request, _board_url(request))


async def cancel_form(request: Request) -> Response:
    user = await require_user(request)
    form = await request.form()
    await service.cancel_response(user, _id(request.path_params["response_id"], "response"),
                                  form.get("reason"))
    return redirect(request, _board_url(request))


async def allocation_form(request: Request) -> Response:
    user = await require_user(request)
    form = await request.form()
    await allocation.schedule_allocation(
        user, request.path_params["course_id"], request.path_params["block_id"],
        form.get("run_at"), form.get("reviews_per_response"),
        form.get("exclude_same_group") == "1")
    return redirect(request, _board_url(request))


# -- JSON API ------------------------------------------------------------------------

async def api_next(request: Request) -> Response:
    """API.md: 200 the caller's assignment, or 204 (the caller is now waiting)."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    assignment = await service.request_review(user, course_id, block_id)
    if assignment is None:
        return Response(status_code=204)
    response = await PeerResponse.get(id=assignment.response_id)
    return JSONResponse(events.assignment_json(assignment, response,
                                               await peer_block(course_id, block_id)))


async def api_assessment(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    if "scores" not in data:
        raise BadInput('Send {"scores": {criterion: option}, "feedback": "..."}.',
                       fields={"scores": "Required."})
    assignment = await service.submit_assessment(
        user, _id(request.path_params["assignment_id"], "assignment"), data["scores"],
        data.get("feedback", ""), data.get("criterion_feedback"))
    return created({"id": assignment.id, "status": assignment.status.value,
                    "points": assignment.points,
                    "completed_at": assignment.completed_at.isoformat()
                    if assignment.completed_at else None})


async def api_open(request: Request) -> Response:
    """The reviewer opened the assignment (an API client showing it): the full lease."""
    user = await require_user(request)
    assignment = await service.open_assignment(
        user, _id(request.path_params["assignment_id"], "assignment"))
    response = await PeerResponse.get(id=assignment.response_id)
    return JSONResponse(events.assignment_json(
        assignment, response, await peer_block(assignment.course_id, assignment.block_id)))


async def api_self_assessment(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    row = await service.self_assess(user, request.path_params["course_id"],
                                    request.path_params["block_id"], data.get("scores"),
                                    data.get("feedback", ""), data.get("criterion_feedback"))
    return created({"id": row.id, "status": row.status.value, "points": row.points})


async def api_result(request: Request) -> Response:
    user = await require_user(request)
    return JSONResponse(await service.result_for(user, request.path_params["course_id"],
                                                 request.path_params["block_id"]))


async def api_file(request: Request) -> Response:
    """A response's attachment, for the reviewer holding or having assessed it."""
    user = await require_user(request)
    assignment = await service.get_assignment(user, _id(request.path_params["assignment_id"],
                                                        "assignment"))
    response = await PeerResponse.get(id=assignment.response_id)
    if response.file_data is None:
        raise NotFound("This response has no file.")
    name = events.reviewer_file_name(response.file_name or "")
    return Response(bytes(response.file_data), media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def api_board(request: Request) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    await require_role(user, course_id, Role.TA)
    board = await views.board_view(course_id, block_id)
    return JSONResponse({**views.board_summary(board),
                         "waiting_reviewers": [{"name": n, "since": s.isoformat()}
                                               for n, s in board.waiting],
                         "stuck_reviewers": [{"name": n, "since": s.isoformat(),
                                              "response_id": r} for n, s, r in board.stuck],
                         "short": [{"response_id": r.response_id, "author": r.author,
                                    "received": r.received} for r in board.short]})


async def api_staff_assessment(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    row = await service.staff_assess(user, _id(request.path_params["response_id"], "response"),
                                     data.get("scores"), data.get("feedback", ""),
                                     data.get("criterion_feedback"))
    return created({"id": row.id, "status": row.status.value, "points": row.points})


async def api_cancel(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    response = await service.cancel_response(
        user, _id(request.path_params["response_id"], "response"), data.get("reason"))
    return JSONResponse({"id": response.id, "status": response.status.value})


async def api_allocation(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    row = await allocation.schedule_allocation(
        user, request.path_params["course_id"], request.path_params["block_id"],
        data.get("run_at"), data.get("reviews_per_response"),
        _flag(data, "exclude_same_group", True))
    return JSONResponse({"run_at": row.run_at.isoformat(),
                         "reviews_per_response": row.reviews_per_response,
                         "exclude_same_group": row.exclude_same_group})


def _flag(data: dict[str, Any], name: str, default: bool) -> bool:
    """A JSON boolean; "false" is not true, and anything but true/false is refused."""
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise BadInput(f"{name} must be true or false.", fields={name: "Not a boolean."})
    return value


async def api_group(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    user_id = _id(request.path_params["user_id"], "user")
    group = await allocation.set_group(user, request.path_params["course_id"], user_id,
                                       data.get("group"))
    return JSONResponse({"user_id": user_id, "group": group})


_PAGE = "/courses/{course_id}/peer-review/{block_id}"
_API = "/api/v1/peer-review"
routes = [
    Route(_PAGE, student_page),
    Route(_PAGE + "/panel", unit_panel),
    Route(_PAGE + "/response", response_form, methods=["POST"]),
    Route(_PAGE + "/next", next_form, methods=["POST"]),
    Route(_PAGE + "/self-assessment", self_assessment_form, methods=["POST"]),
    Route(_PAGE + "/board", board_page),
    Route(_PAGE + "/allocation", allocation_form, methods=["POST"]),
    Route(_PAGE + "/responses/{response_id}", response_page),
    Route(_PAGE + "/responses/{response_id}/assessment", staff_assessment_form,
          methods=["POST"]),
    Route(_PAGE + "/responses/{response_id}/cancel", cancel_form, methods=["POST"]),
    Route("/courses/{course_id}/peer-review/assignments/{assignment_id}/assessment",
          assessment_form, methods=["POST"]),
    Route("/courses/{course_id}/peer-review/assignments/{assignment_id}/open", open_form,
          methods=["POST"]),
    Route(_API + "/{course_id}/{block_id}/next", api_next),
    Route(_API + "/{course_id}/{block_id}/result", api_result),
    Route(_API + "/{course_id}/{block_id}/self-assessment", api_self_assessment,
          methods=["POST"]),
    Route(_API + "/{course_id}/{block_id}/board", api_board),
    Route(_API + "/{course_id}/{block_id}/allocation", api_allocation, methods=["PUT"]),
    Route(_API + "/{course_id}/groups/{user_id}", api_group, methods=["PUT"]),
    Route(_API + "/assignments/{assignment_id}/assessment", api_assessment, methods=["POST"]),
    Route(_API + "/assignments/{assignment_id}/file", api_file),
    Route(_API + "/assignments/{assignment_id}/open", api_open, methods=["POST"]),
    Route(_API + "/responses/{response_id}/staff-assessment", api_staff_assessment,
          methods=["POST"]),
    Route(_API + "/responses/{response_id}/cancel", api_cancel, methods=["POST"]),
]
