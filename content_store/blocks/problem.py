"""A problem: multiple choice, checkboxes, numeric or text answer.

Field names are a contract with grading/ (its built-in graders read them); the API
contract's "Block views" give the student view.
"""

from __future__ import annotations

from typing import Any

from content_store.blocks import checks
from content_store.blocks.base import BlockType, Field, markdown_html
from content_store.blocks.checks import FieldProblem
from content_store.blocks.common import (
    base_view,
    due,
    grader_url,
    max_attempts,
    max_points,
    prompt,
    resubmission,
    title,
    visibility,
)
from core.i18n import N_
from core.i18n import gettext as _

KINDS = ("multiple_choice", "checkboxes", "numeric", "text")
CHOICE_KINDS = ("multiple_choice", "checkboxes")

_option = checks.check_record(
    required={"id": checks.check_ident, "label": checks.check_markdown,
              "correct": checks.check_bool},
    optional={"feedback": checks.check_str},
)


def _check_options(value: Any, path: checks.Path) -> list[dict[str, Any]]:
    options = checks.check_list(_option, min_items=2)(value, path)
    checks.unique(options, "id", path)
    return options


_answer = checks.check_record(
    required={"value": checks.check_float},
    optional={"tolerance": lambda v, p: checks.check_float(v, p, minimum=0),
              "relative_tolerance": lambda v, p: checks.check_float(v, p, minimum=0)},
    defaults={"tolerance": 0.0, "relative_tolerance": 0.0},
)

# Fields that only make sense for some kinds: setting them on another kind is almost
# always an authoring mistake (e.g. options on a numeric problem), so it is an error.
_ONLY_FOR: dict[str, tuple[str, ...]] = {
    "options": CHOICE_KINDS, "partial_credit": ("checkboxes",), "answer": ("numeric",),
    "answers": ("text",), "patterns": ("text",), "case_sensitive": ("text",),
    "normalize_space": ("text",),
}


def _check_problem(f: dict[str, Any]) -> None:
    kind = f["kind"]
    for name, kinds in _ONLY_FOR.items():
        if f.get(name) is not None and kind not in kinds and f[name] != _defaults[name]:
            raise FieldProblem((name,), _("is only used by %(kinds)s problems",
                                          kinds=" / ".join(kinds)))
    if kind in CHOICE_KINDS:
        if not f.get("options"):
            raise FieldProblem(("options",), _("are required for a %(kind)s problem", kind=kind))
        correct = sum(1 for o in f["options"] if o["correct"])
        if kind == "multiple_choice" and correct != 1:
            raise FieldProblem(("options",), _("must mark exactly one option correct for "
                                               "multiple_choice (found %(count)s)",
                                               count=correct))
    elif f.get("grader_url"):
        pass  # an external grader holds the answer key
    elif kind == "numeric" and f.get("answer") is None:
        raise FieldProblem(("answer",), _("is required for a numeric problem (unless "
                                          "grader_url names an external grader)"))
    elif kind == "text" and not (f.get("answers") or f.get("patterns")):
        raise FieldProblem(("answers",), _("or patterns are required for a text problem "
                                           "(unless grader_url names an external grader)"))


def _view(block_id: str, f: dict[str, Any]) -> dict[str, Any]:
    view = {**base_view(block_id, "problem", f), "kind": f["kind"],
            "prompt_html": markdown_html(f["prompt"])}
    if f["kind"] in CHOICE_KINDS:
        # Only id and label: "correct" and "feedback" are answer keys.
        view["options"] = [{"id": o["id"], "label_html": markdown_html(o["label"])}
                           for o in f["options"] or []]
    view.update(max_points=f["max_points"], max_attempts=f["max_attempts"], due_at=f["due"])
    return view


BLOCK = BlockType(
    name="problem",
    label=N_("Problem"),
    body_field="prompt",
    check_block=_check_problem,
    view=_view,
    fields=(
        title(),
        *visibility(),
        Field("kind", "choice", N_("Kind"), required=True, choices=KINDS),
        prompt(),
        Field("options", "structured", N_("Options"), nullable=True, scope="content",
              check=_check_options, help=N_("[{id, label (Markdown), correct, feedback?}]")),
        Field("partial_credit", "choice", N_("Partial credit (checkboxes)"), default="proportional",
              choices=("none", "proportional", "right_minus_wrong")),
        Field("answer", "structured", N_("Numeric answer"), nullable=True, scope="content",
              check=_answer, help=N_("{value, tolerance (absolute), relative_tolerance}")),
        Field("answers", "structured", N_("Accepted answers"), nullable=True, scope="content",
              check=checks.check_list(checks.check_str)),
        Field("patterns", "structured", N_("Accepted patterns (regular expressions)"),
              nullable=True, scope="content", check=checks.check_list(checks.check_regex)),
        Field("case_sensitive", "bool", N_("Case sensitive"), default=False),
        Field("normalize_space", "bool", N_("Ignore extra spaces"), default=True),
        max_points(),
        max_attempts(),
        *resubmission(),
        due(),
        grader_url(),
        Field("explanation", "markdown", N_("Explanation (shown after the due date)"),
              nullable=True, scope="content"),
    ),
)

_defaults = {f.name: f.default for f in BLOCK.fields}
