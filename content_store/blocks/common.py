"""Field definitions several block types share, so their names and rules agree."""

from __future__ import annotations

from typing import Any

from content_store.blocks import checks
from content_store.blocks.base import Field
from core import outbound
from core.i18n import N_
from core.i18n import gettext as _


def title(required: bool = True, label: str = N_("Title")) -> Field:
    return Field("title", "title", label, required=required, default="")


def due() -> Field:
    return Field("due", "datetime", N_("Due"), nullable=True,
                 help=N_("ISO date-time with zone, e.g. 2026-03-01T23:59:00Z; "
                         "empty for no deadline."))


def max_points() -> Field:
    return Field("max_points", "float", N_("Points"), default=1.0,
                 check=lambda v, p: checks.check_float(v, p, minimum=0))


def max_attempts() -> Field:
    return Field("max_attempts", "int", N_("Attempts allowed"), nullable=True,
                 help=N_("Empty for unlimited."),
                 check=lambda v, p: checks.check_int(v, p, minimum=1))


def resubmission() -> tuple[Field, Field]:
    """Which attempt counts, and the wait between attempts (grading/ reads both)."""
    return (Field("counts", "choice", N_("Attempt that counts"), default="best",
                  choices=("best", "last"),
                  help=N_("best: the highest-scoring attempt; last: the newest graded one.")),
            Field("cooldown_seconds", "int", N_("Wait between attempts (seconds)"), default=0,
                  check=lambda v, p: checks.check_int(v, p, minimum=0)))


def grader_url() -> Field:
    return Field("grader_url", "url", N_("External grader URL"), nullable=True,
                 help=N_("An A+ protocol grader; empty to grade inside Coursewire."),
                 check=_grader_address)


def _grader_address(value: Any, path: checks.Path) -> Any:
    problem = outbound.current_policy().url_problem(value) if value else None
    if problem:
        raise checks.FieldProblem(path, _("is refused: %(problem)s", problem=problem))
    return value


def prompt(label: str = N_("Prompt"), required: bool = True) -> Field:
    return Field("prompt", "markdown", label, required=required, default="", scope="content")


def base_view(block_id: str, block_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"id": block_id, "type": block_type, "title": fields.get("title") or ""}


def visibility() -> tuple[Field, Field]:
    """Marks that keep a block (and everything inside it) from students; staff still see it.
    Enforced by the platform's release rule (courses.release)."""
    return (Field("hidden", "bool", N_("Hidden from students"), default=False,
                  help=N_("Students never see this block or anything inside it.")),
            Field("staff_only", "bool", N_("Staff only"), default=False,
                  help=N_("Only TAs and instructors see this block and anything inside it.")))
