"""The staff pages: the progress board, one response with its assessments, and their
forms (staff assessment, cancel, allocation)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from accounts.pages import page
from accounts.session import require_user
from core.errors import CoursewireError, NotFound
from core.http import redirect
from core.i18n import gettext as _
from courses.service import get_course, require_role
from models.courses import Role
from models.peer_review import PeerAssignment, PeerResponse, ScheduledAllocation
from models.users import User
from peer_review import allocation, assessments, fragments, queries, responses
from peer_review.blocks import peer_block
from peer_review.inputs import board_url, path_id, rubric_input


async def board_page(request: Request) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    await require_role(user, course_id, Role.TA)
    return await page(request, "peer_review/board.html", course=await get_course(course_id),
                      board=await queries.board_view(course_id, block_id),
                      allocation=await ScheduledAllocation.get_or_none(
                          course_id=course_id, block_id=block_id),
                      live_topics=[f"course:{course_id}:staff",
                                   fragments.page_topic(course_id, block_id)])


async def response_page(request: Request, message: str = "", status: int = 200) -> Response:
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    await require_role(user, course_id, Role.TA)
    response = await PeerResponse.get_or_none(
        id=path_id(request.path_params["response_id"], "response"), course_id=course_id,
        block_id=block_id)
    if response is None:
        raise NotFound(_("No such response."))
    assessments = await PeerAssignment.filter(response_id=response.id).order_by("id")
    names = {u.id: u.name for u in await User.filter(
        id__in=[a.reviewer_id for a in assessments] + [response.author_id])}
    return await page(request, "peer_review/response.html", status_code=status,
                      course=await get_course(course_id),
                      block=await peer_block(course_id, block_id), response=response,
                      author=await User.get(id=response.author_id), assessments=assessments,
                      names=names, message=message)


async def staff_assessment_form(request: Request) -> Response:
    user = await require_user(request)
    scores, overall, per = rubric_input(await request.form())
    try:
        await assessments.staff_assess(
            user, path_id(request.path_params["response_id"], "response"), scores, overall, per)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        return await response_page(request, exc.message, exc.status)
    return redirect(request, board_url(request))


async def cancel_form(request: Request) -> Response:
    user = await require_user(request)
    form = await request.form()
    await responses.cancel_response(user, path_id(request.path_params["response_id"], "response"),
                                    form.get("reason"))
    return redirect(request, board_url(request))


async def allocation_form(request: Request) -> Response:
    user = await require_user(request)
    form = await request.form()
    await allocation.schedule_allocation(
        user, request.path_params["course_id"], request.path_params["block_id"],
        form.get("run_at"), form.get("reviews_per_response"),
        form.get("exclude_same_group") == "1")
    return redirect(request, board_url(request))
