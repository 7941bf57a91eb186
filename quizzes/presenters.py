"""What an attempt looks like to its student (and to staff): questions without their
answer keys, saved answers, and results only as the quiz's `review` allows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from content_store.blocks.base import markdown_html
from models.quizzes import AttemptStatus, QuizAttempt
from quizzes.draw import DrawnQuestion
from quizzes.timing import seconds_left


def question_view(drawn: DrawnQuestion) -> dict[str, Any]:
    """One question as a student sees it: prompt and options (in the attempt's order),
    never `correct`, `feedback`, `answer(s)`, `patterns`, `tests` or `explanation`."""
    q = drawn.question
    kind = "code" if q.get("type") == "code" else q["kind"]
    view: dict[str, Any] = {"id": drawn.id, "kind": kind, "title": q.get("title") or "",
                            "prompt_html": markdown_html(q.get("prompt")),
                            "max_points": float(q.get("max_points", 1.0))}
    if drawn.option_order:
        labels = {o["id"]: o["label"] for o in q.get("options") or []}
        view["options"] = [{"id": oid, "label_html": markdown_html(labels[oid])}
                           for oid in drawn.option_order]
    if kind == "code":
        view["starter_code"] = q.get("starter_code") or ""
    return view


def paper_of(attempt: QuizAttempt) -> list[DrawnQuestion]:
    return [DrawnQuestion.from_record(r) for r in attempt.paper]


def results_visible(review: str, attempt: QuizAttempt, closes_at: datetime | None,
                    now: datetime, *, staff: bool) -> bool:
    """`after_submit`: once graded; `after_close`: once graded and the quiz closed (or,
    with no close, once graded); `never`: staff only."""
    if attempt.status != AttemptStatus.GRADED:
        return False
    if staff or review == "after_submit":
        return True
    if review == "after_close":
        return closes_at is None or now >= closes_at
    return False


def attempt_json(attempt: QuizAttempt, answers: Mapping[str, Any], now: datetime, *,
                 show_results: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": attempt.id, "course_id": attempt.course_id, "block_id": attempt.block_id,
        "number": attempt.number, "status": attempt.status.value,
        "started_at": attempt.started_at.isoformat(),
        "deadline_at": attempt.deadline_at.isoformat() if attempt.deadline_at else None,
        "seconds_left": (seconds_left(attempt.deadline_at, now)
                         if attempt.status == AttemptStatus.IN_PROGRESS else None),
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
        "questions": [question_view(d) for d in paper_of(attempt)],
        "answers": dict(answers),
        "max_points": attempt.max_points,
    }
    if show_results:
        data["points"] = attempt.points
        data["results"] = attempt.results or {}
    return data
