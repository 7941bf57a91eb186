"""Results from external graders (the A+ protocol): a synchronous reply, or one posted
later to the submission URL, recorded on the block's own scale.
"""

from __future__ import annotations

from typing import Any

import nh3

from grading import external
from grading.block_state import BlockHistory
from grading.results import record_error, record_grade
from models.grading import Status, Submission


def _clean_html(html: str) -> str:
    return nh3.clean(html, tags={"p", "pre", "code", "ul", "ol", "li", "strong", "em", "br",
                                 "span", "div", "table", "tr", "td", "th", "thead", "tbody",
                                 "h4", "h5", "small"})


async def record_external_reply(submission: Submission, reply: external.GraderReply, *,
                                history: BlockHistory | None = None) -> bool:
    """Record a grader's reply as the attempt's grade (or error); False if it had one."""
    feedback = {"summary": "", "items": [], "html": _clean_html(reply.feedback)}
    if reply.error:
        return await record_error(submission, "The grader reported an error with this "
                                  "submission.", feedback=feedback, payload=reply.payload,
                                  history=history)
    # Rescale to the block's own maximum.
    points = reply.points / reply.max_points * submission.max_points
    feedback["summary"] = f"{points:g} of {submission.max_points:g} points"
    return await record_grade(submission, points, submission.max_points, feedback,
                              payload=reply.payload, history=history)


async def receive_external_result(submission_id: int, token: object,
                                  fields: dict[str, Any]) -> tuple[int, list[str]]:
    """An asynchronous grader posts its result. Returns (HTTP status, errors)."""
    if not external.token_is_valid(submission_id, token):
        return 403, ["invalid or missing token"]
    submission = await Submission.get_or_none(id=submission_id)
    if submission is None:
        return 404, ["no such submission"]
    if submission.status != Status.GRADING:
        return 409, [f"submission is already {submission.status.value}"]
    try:
        reply = external.reply_from_fields(fields)
    except external.ExternalGraderError as exc:
        return 400, [str(exc)]
    if not await record_external_reply(submission, reply):
        return 409, ["submission was graded meanwhile"]
    return 200, []
