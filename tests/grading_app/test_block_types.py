"""Block types another domain scores: grading stores their attempts, calls the domain's
hooks, and alone records their score (with the late policy) or withdraws them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from core.errors import BadInput, InvalidState, NotFound
from grading import api, routes, submissions
from grading.block_types import BLOCK_TYPES
from models.grading import Status, Submission
from tests.grading_app.conftest import drain


@pytest.fixture
def registry() -> api.BlockTypes:
    """A fresh registry bound in place of the one the Runtime filled (peer_review's)."""
    fresh = api.BlockTypes()
    BLOCK_TYPES.bind(fresh)
    return fresh


def _register(registry: api.BlockTypes, calls: list[Any]) -> None:
    def validate(block: api.GradedBlock, answer: Any) -> None:
        if answer.get("text") == "bad":
            raise BadInput("No.")

    async def submitted(submission: Submission, attachment: api.Attachment | None) -> None:
        calls.append((submission.id, submission.status, attachment))

    registry.register("peer_review", api.BlockType(
        validate=validate, submitted=submitted, waits_in=Status.AWAITING_PEER_REVIEW,
        once="Only one.", max_points=lambda fields: 2.0,
        form_answer=lambda form: {"text": form.get("essay", "")}))


class FormRequest:
    def __init__(self, form: dict[str, str]) -> None:
        self._form = form

    async def form(self) -> dict[str, str]:
        return self._form


async def test_a_type_nobody_registered_takes_no_submissions(course, registry):
    with pytest.raises(NotFound, match=r"takes no submissions|No gradeable block"):
        await submissions.submit_answer(course.student, course.id, "essay", {"text": "Hi"})
    assert await Submission.all().count() == 0


async def test_grading_stores_the_attempt_and_calls_the_hooks(course, registry):
    calls: list[Any] = []
    _register(registry, calls)
    with pytest.raises(BadInput):
        await api.submit_answer(course.student, course.id, "essay", {"text": "bad"})
    sub = await api.submit_answer(course.student, course.id, "essay", {"text": "Hi"},
                                  attachment=("a.txt", "text/plain", b"x"))
    assert sub.status == Status.AWAITING_PEER_REVIEW and sub.attempt == 1
    assert calls == [(sub.id, Status.AWAITING_PEER_REVIEW, ("a.txt", "text/plain", b"x"))]
    assert await drain(course.queue) == []  # not for grading's own graders
    with pytest.raises(InvalidState, match="Only one"):
        await api.submit_answer(course.student, course.id, "essay", {"text": "Again"})


async def test_score_applies_the_late_policy_once_and_may_be_rescored(course, registry):
    _register(registry, [])
    sub = await api.submit_answer(course.student, course.id, "essay", {"text": "Hi"})
    await Submission.filter(id=sub.id).update(late=True, late_penalty=0.25)
    assert await api.score_submission(sub.id, 3, 4, {"summary": "Peer: 3 of 4"})
    row = await Submission.get(id=sub.id)
    assert row.status == Status.GRADED
    assert (row.raw_points, row.points) == (1.5, 1.125)  # 3/4 of the block's 2, less 25%
    assert row.feedback == {"summary": "Peer: 3 of 4",
                            "late": "Submitted late: 25% of the points deducted."}
    assert await api.score_submission(sub.id, 4, 4, {"summary": "Staff"})
    assert (await Submission.get(id=sub.id)).points == 1.5


async def test_withdraw_ends_the_attempt_and_returns_its_points(course, registry):
    _register(registry, [])
    sub = await api.submit_answer(course.student, course.id, "essay", {"text": "Hi"})
    await api.score_submission(sub.id, 2, 2, {"summary": "ok"})
    at = datetime.now(UTC)
    assert await api.withdraw_submission(sub.id, "Removed: copied", at=at) == 2
    row = await Submission.get(id=sub.id)
    assert row.status == Status.ERROR and row.points is None and row.raw_points is None
    assert row.error_message == "Removed: copied (the score of 2 points was withdrawn)"
    assert not await api.score_submission(sub.id, 2, 2, {"summary": "too late"})
    assert (await Submission.get(id=sub.id)).status == Status.ERROR
    again = await api.submit_answer(course.student, course.id, "essay", {"text": "Retry"})
    assert again.attempt == 2  # a withdrawn attempt does not use up the one response


async def test_the_type_sets_the_blocks_maximum_and_reads_its_form(course, registry):
    _register(registry, [])
    registry.register("peer_review", replace(registry.get("peer_review"),
                                             max_points=lambda fields: 5.0))
    _, block = await api.published_block(course.id, "essay")
    assert block.max_points == 5.0
    answer = await routes._answer_from_form(FormRequest({"essay": "Mine"}), course.id, "essay")
    assert answer == {"text": "Mine"}
    sub = await api.submit_answer(course.student, course.id, "essay", answer)
    assert sub.max_points == 5.0


async def test_without_a_max_points_hook_the_field_sets_the_maximum(course, registry):
    async def submitted(submission: Submission, attachment: api.Attachment | None) -> None:
        return None

    registry.register("peer_review", api.BlockType(
        validate=lambda block, answer: None, submitted=submitted,
        waits_in=Status.AWAITING_PEER_REVIEW))
    _, block = await api.published_block(course.id, "essay")
    assert block.max_points == 1.0  # the essay has a rubric but no max_points field
