"""Field definitions several block types share, so their names and rules agree."""

from __future__ import annotations

from typing import Any

from content_store.blocks import checks
from content_store.blocks.base import Field
from core import outbound


def title(required: bool = True, label: str = "Title") -> Field:
    return Field("title", "title", label, required=required, default="")


def due() -> Field:
    return Field("due", "datetime", "Due", nullable=True,
                 help="ISO date-time with zone, e.g. 2026-03-01T23:59:00Z; empty for no deadline.")


def max_points() -> Field:
    return Field("max_points", "float", "Points", default=1.0,
                 check=lambda v, p: checks.check_float(v, p, minimum=0))


def max_attempts() -> Field:
    return Field("max_attempts", "int", "Attempts allowed", nullable=True,
                 help="Empty for unlimited.", check=lambda v, p: checks.check_int(v, p, minimum=1))


def resubmission() -> tuple[Field, Field]:
    """Which attempt counts, and the wait between attempts (grading/ reads both)."""
    return (Field("counts", "choice", "Attempt that counts", default="best",
                  choices=("best", "last"),
                  help="best: the highest-scoring attempt; last: the newest graded one."),
            Field("cooldown_seconds", "int", "Wait between attempts (seconds)", default=0,
                  check=lambda v, p: checks.check_int(v, p, minimum=0)))


def grader_url() -> Field:
    return Field("grader_url", "url", "External grader URL", nullable=True,
                 help="An A+ protocol grader; empty to grade inside Coursewire.",
                 check=_grader_address)


def _grader_address(value: Any, path: checks.Path) -> Any:
    problem = outbound.current_policy().url_problem(value) if value else None
    if problem:
        raise checks.FieldProblem(path, f"is refused: {problem}")
    return value


def prompt(label: str = "Prompt", required: bool = True) -> Field:
    return Field("prompt", "markdown", label, required=required, default="", scope="content")


def base_view(block_id: str, block_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"id": block_id, "type": block_type, "title": fields.get("title") or ""}


def visibility() -> tuple[Field, Field]:
    """Marks that keep a block (and everything inside it) from students; staff still see it.
    Enforced by the platform's release rule (courses.release)."""
    return (Field("hidden", "bool", "Hidden from students", default=False,
                  help="Students never see this block or anything inside it."),
            Field("staff_only", "bool", "Staff only", default=False,
                  help="Only TAs and instructors see this block and anything inside it."))
