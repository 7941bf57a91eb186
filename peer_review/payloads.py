"""The JSON payloads of peer review's events and API answers, as TypedDicts: the one
definition presenters build, the event stream documents (peer_review.events.EVENT_TYPES)
and tests check with core.event_types.problems.

No `from __future__ import annotations` here: on Python 3.11 a TypedDict only sees
`NotRequired` in annotations that are evaluated.
"""

from typing import Literal, NotRequired, TypedDict


class AttachedFile(TypedDict):
    name: str  # generic ("response.pdf"): the author's own file name may name them
    url: str


class ReviewedAnswer(TypedDict):
    text: str
    file: NotRequired[AttachedFile]


class ReviewedSubmission(TypedDict):
    answer: ReviewedAnswer


class RubricOption(TypedDict):
    name: str
    label: str
    points: float


class RubricCriterion(TypedDict):
    name: str
    label: str
    feedback: str  # required | optional | disabled
    options: list[RubricOption]


class RubricJson(TypedDict):
    criteria: list[RubricCriterion]


class AssignmentPayload(TypedDict):
    """A reviewer's assignment: the answer only, never who wrote it."""

    id: int
    course_id: str
    block_id: str
    submission: ReviewedSubmission
    rubric: RubricJson
    due_at: str | None
    expires_at: str | None


class CriterionResult(TypedDict):
    name: str
    label: str
    points: float
    max_points: float
    feedback: list[str]


ResultStatus = Literal["cancelled", "graded", "waiting_for_your_reviews",
                       "waiting_for_self_assessment", "waiting_for_peer_reviews"]


class ResultPayload(TypedDict):
    """The author's result; never names reviewers."""

    course_id: str
    block_id: str
    status: ResultStatus
    points: float | None
    max_points: float
    per_criterion: list[CriterionResult] | None
    feedback: list[str] | None
    reviews_received: int
    reviews_required: int
    reviews_given: int
    must_grade: int


class BoardSummary(TypedDict):
    """The staff board's counts."""

    course_id: str
    block_id: str
    responses: int
    graded: int
    short_of_graded_by: int
    waiting: int
    stuck: int
    cancelled: int


class NoData(TypedDict):
    """An HTML-only event: it carries no JSON for any audience."""
