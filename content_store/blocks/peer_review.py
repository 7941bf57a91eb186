"""Open response assessed by peers against a rubric."""

from __future__ import annotations

from typing import Any

from content_store.blocks import checks
from content_store.blocks.base import BlockType, Field, markdown_html
from content_store.blocks.common import base_view, due, prompt, title, visibility
from core.i18n import N_

_rubric_option = checks.check_record(
    required={"name": checks.check_ident, "label": checks.check_title,
              "points": lambda v, p: checks.check_float(v, p, minimum=0)},
)


def _check_options(value: Any, path: checks.Path) -> list[dict[str, Any]]:
    options = checks.check_list(_rubric_option, min_items=2)(value, path)
    checks.unique(options, "name", path)
    return options


_criterion = checks.check_record(
    required={"name": checks.check_ident, "label": checks.check_title,
              "options": _check_options},
    optional={"feedback": checks.check_choice(("optional", "required", "disabled"))},
    defaults={"feedback": "optional"},
)


def _check_rubric(value: Any, path: checks.Path) -> dict[str, Any]:
    rubric = checks.check_record(
        required={"criteria": checks.check_list(_criterion, min_items=1)})(value, path)
    checks.unique(rubric["criteria"], "name", (*path, "criteria"))
    return rubric


def rubric_max_points(rubric: dict[str, Any]) -> float:
    """Most points a submission can earn: the best option of every criterion."""
    return sum(max(o["points"] for o in c["options"]) for c in rubric["criteria"])


def _view(block_id: str, f: dict[str, Any]) -> dict[str, Any]:
    rubric = {"criteria": [
        {"name": c["name"], "label": c["label"],
         "options": [{"name": o["name"], "label": o["label"], "points": o["points"]}
                     for o in c["options"]]}
        for c in (f["rubric"] or {"criteria": []})["criteria"]]}
    return {**base_view(block_id, "peer_review", f), "prompt_html": markdown_html(f["prompt"]),
            "rubric": rubric, "must_grade": f["must_grade"], "graded_by": f["graded_by"],
            "due_at": f["due"]}


BLOCK = BlockType(
    name="peer_review",
    label=N_("Peer review"),
    body_field="prompt",
    view=_view,
    fields=(
        title(),
        *visibility(),
        prompt(),
        Field("rubric", "structured", N_("Rubric"), required=True, scope="content",
              check=_check_rubric,
              help=N_("criteria: [{name, label, feedback, options: [{name, label, points}]}]")),
        Field("must_grade", "int", N_("Reviews each student must give"), default=3,
              check=lambda v, p: checks.check_int(v, p, minimum=0)),
        Field("graded_by", "int", N_("Reviews each submission needs"), default=3,
              check=lambda v, p: checks.check_int(v, p, minimum=1)),
        Field("allow_file", "bool", N_("Allow a file upload"), default=False),
        Field("self_assessment", "bool", N_("Students also assess themselves"), default=False),
        due(),
        Field("scoring", "choice", N_("Combine peer scores by"), default=None, nullable=True,
              choices=("median", "mean"),
              help=N_("Empty: the course's peer_review_scoring (median unless set).")),
        Field("flexible_after_days", "int", N_("Relax graded_by after (days)"), nullable=True,
              check=lambda v, p: checks.check_int(v, p, minimum=0),
              help=N_("After this many days a submission is scored with the reviews it has.")),
    ),
)
