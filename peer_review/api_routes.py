"""The peer review JSON API ("Peer review" in the API contract)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from accounts.session import CSRF_HEADER, csrf_matches, require_user, uses_session_auth
from core.errors import BadInput, NotFound, PermissionDenied
from core.http import created, read_json
from core.i18n import gettext as _
from courses.service import require_role
from models.courses import Role
from models.peer_review import PeerResponse
from peer_review import allocation, assessments, presenters, queries, responses
from peer_review.assignment import open_assignment, request_review
from peer_review.blocks import peer_block
from peer_review.inputs import json_flag, path_id


async def api_next(request: Request) -> Response:
    """the API contract: 200 the caller's assignment, or 204 (the caller is now waiting).

    A GET that changes state: with the session cookie alone (which a Lax cookie sends on a
    cross-site link), it needs the page's CSRF token in X-CSRF-Token too; bearer-token
    clients, whose calls no other site can make, keep the plain GET.
    """
    user = await require_user(request)
    if uses_session_auth(request) and not csrf_matches(request,
                                                       request.headers.get(CSRF_HEADER)):
        raise PermissionDenied(_("Asking for work changes your place in the queue: send the "
                                 "X-CSRF-Token header, or use the page's button."))
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    assignment = await request_review(user, course_id, block_id)
    if assignment is None:
        return Response(status_code=204)
    response = await PeerResponse.get(id=assignment.response_id)
    return JSONResponse(presenters.assignment_json(assignment, response,
                                                   await peer_block(course_id, block_id)))


async def api_assessment(request: Request) -> Response:
    user = await require_user(request)
    assignment_id = path_id(request.path_params["assignment_id"], "assignment")
    await assessments.reviewers_assignment(user, assignment_id)  # rights before the body
    data = await read_json(request)
    if "scores" not in data:
        raise BadInput(_('Send {"scores": {criterion: option}, "feedback": "..."}.'),
                       fields={"scores": "Required."})
    assignment = await assessments.submit_assessment(
        user, assignment_id, data["scores"], data.get("feedback", ""),
        data.get("criterion_feedback"))
    return created({"id": assignment.id, "status": assignment.status.value,
                    "points": assignment.points,
                    "completed_at": assignment.completed_at.isoformat()
                    if assignment.completed_at else None})


async def api_open(request: Request) -> Response:
    """The reviewer opened the assignment (an API client showing it): the full lease."""
    user = await require_user(request)
    assignment = await open_assignment(
        user, path_id(request.path_params["assignment_id"], "assignment"))
    response = await PeerResponse.get(id=assignment.response_id)
    return JSONResponse(presenters.assignment_json(
        assignment, response, await peer_block(assignment.course_id, assignment.block_id)))


async def api_self_assessment(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    row = await assessments.self_assess(user, request.path_params["course_id"],
                                        request.path_params["block_id"], data.get("scores"),
                                        data.get("feedback", ""), data.get("criterion_feedback"))
    return created({"id": row.id, "status": row.status.value, "points": row.points})


async def api_result(request: Request) -> Response:
    user = await require_user(request)
    return JSONResponse(await queries.result_for(user, request.path_params["course_id"],
                                                 request.path_params["block_id"]))


async def api_file(request: Request) -> Response:
    """A response's attachment, for the reviewer holding or having assessed it."""
    user = await require_user(request)
    assignment = await queries.get_assignment(user, path_id(request.path_params["assignment_id"],
                                                            "assignment"))
    response = await PeerResponse.get(id=assignment.response_id)
    if response.file_data is None:
        raise NotFound(_("This response has no file."))
    name = presenters.reviewer_file_name(response.file_name or "")
    return Response(bytes(response.file_data), media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def api_board(request: Request) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    await require_role(user, course_id, Role.TA)
    board = await queries.board_view(course_id, block_id)
    return JSONResponse({**presenters.board_summary(board),
                         "waiting_reviewers": [{"name": n, "since": s.isoformat()}
                                               for n, s in board.waiting],
                         "stuck_reviewers": [{"name": n, "since": s.isoformat(),
                                              "response_id": r} for n, s, r in board.stuck],
                         "short": [{"response_id": r.response_id, "author": r.author,
                                    "received": r.received} for r in board.short]})


async def api_staff_assessment(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    row = await assessments.staff_assess(
        user, path_id(request.path_params["response_id"], "response"), data.get("scores"),
        data.get("feedback", ""), data.get("criterion_feedback"))
    return created({"id": row.id, "status": row.status.value, "points": row.points})


async def api_cancel(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    response = await responses.cancel_response(
        user, path_id(request.path_params["response_id"], "response"), data.get("reason"))
    return JSONResponse({"id": response.id, "status": response.status.value})


async def api_allocation(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    row = await allocation.schedule_allocation(
        user, request.path_params["course_id"], request.path_params["block_id"],
        data.get("run_at"), data.get("reviews_per_response"),
        json_flag(data, "exclude_same_group", True))
    return JSONResponse({"run_at": row.run_at.isoformat(),
                         "reviews_per_response": row.reviews_per_response,
                         "exclude_same_group": row.exclude_same_group})


async def api_group(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    user_id = path_id(request.path_params["user_id"], "user")
    group = await allocation.set_group(user, request.path_params["course_id"], user_id,
                                       data.get("group"))
    return JSONResponse({"user_id": user_id, "group": group})
