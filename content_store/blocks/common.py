"""Field definitions several block types share, so their names and rules agree."""

from __future__ import annotations

from typing import Any

from content_store.blocks import checks
from content_store.blocks.base import Field


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
                 help="An A+ protocol grader; empty to grade inside Coursewire.")


def prompt(label: str = "Prompt", required: bool = True) -> Field:
    return Field("prompt", "markdown", label, required=required, default="", scope="content")


def base_view(block_id: str, block_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"id": block_id, "type": block_type, "title": fields.get("title") or ""}
