"""A quiz (or exam): questions drawn from the course's question banks and/or its own
fixed questions, taken in timed attempts (the quizzes domain runs them).

The student view says how the quiz runs, never which questions it holds: questions
reach a student only inside an attempt, without their answer keys.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from content_store.blocks import checks
from content_store.blocks.base import BlockType, Field, markdown_html
from content_store.blocks.checks import FieldProblem
from content_store.blocks.common import base_view, title, visibility
from content_store.blocks.questions import check_bank_name, check_questions
from core.datetimes import parse_instant
from core.i18n import N_
from core.i18n import gettext as _

GRADING = ("highest", "last", "average", "first")
REVIEW = ("after_submit", "after_close", "never")

_draw_rule = checks.check_record(
    required={"bank": check_bank_name,
              "count": lambda v, p: checks.check_int(v, p, minimum=1)},
    optional={"tags": checks.check_list(checks.check_ident)},
    defaults={"tags": []},
)


def _positive(value: Any, path: checks.Path) -> int:
    return checks.check_int(value, path, minimum=1)


def _check_access_code(value: Any, path: checks.Path) -> str:
    value = checks.check_str(value, path).strip()
    if len(value) > 100:
        raise FieldProblem(path, _("must be at most %(count)s characters", count=100))
    return value


def _check_network(value: Any, path: checks.Path) -> str:
    """One allowed network, as a CIDR range ("10.1.0.0/16", "2001:db8::/32") or a single
    address; written back in its canonical form."""
    text = checks.check_str(value, path).strip()
    try:
        return str(ipaddress.ip_network(text))
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise FieldProblem(path, _("%(value)r is not a network: write a CIDR range such as "
                                   "10.1.0.0/16 or 2001:db8::/32", value=text)) from None
    raise FieldProblem(path, _("%(value)r has bits set after the prefix: did you mean "
                                 "%(network)s?", value=text, network=str(loose)))


def _check_quiz(f: dict[str, Any]) -> None:
    if not f["questions"] and not f["draw"]:
        raise FieldProblem(("draw",), _("or questions must give the quiz at least one "
                                             "question"))
    if f["opens_at"] and f["closes_at"] and \
            parse_instant(f["closes_at"]) <= parse_instant(f["opens_at"]):
        raise FieldProblem(("closes_at",), _("must be after opens_at"))


def question_count(f: dict[str, Any]) -> int:
    """How many questions every attempt holds: the fixed ones plus each rule's count."""
    return len(f.get("questions") or []) + sum(r["count"] for r in f.get("draw") or [])


def _view(block_id: str, f: dict[str, Any]) -> dict[str, Any]:
    return {**base_view(block_id, "quiz", f),
            "instructions_html": markdown_html(f["instructions"]),
            "question_count": question_count(f),
            "time_limit_minutes": f["time_limit_minutes"], "opens_at": f["opens_at"],
            "closes_at": f["closes_at"], "max_attempts": f["max_attempts"],
            "max_points": f["max_points"] if f["max_points"] is not None
            else float(question_count(f)),
            "grading": f["grading"], "review": f["review"],
            "needs_access_code": bool(f["access_code"])}


BLOCK = BlockType(
    name="quiz",
    label=N_("Quiz"),
    body_field="instructions",
    check_block=_check_quiz,
    view=_view,
    fields=(
        title(),
        *visibility(),
        Field("instructions", "markdown", N_("Instructions"), default="", scope="content"),
        Field("time_limit_minutes", "int", N_("Time limit (minutes)"), nullable=True,
              check=_positive, help=N_("Empty for no time limit (closes_at still ends it).")),
        Field("opens_at", "datetime", N_("Opens"), nullable=True),
        Field("closes_at", "datetime", N_("Closes"), nullable=True,
              help=N_("Attempts still open then are submitted by the server.")),
        Field("max_attempts", "int", N_("Attempts allowed"), default=1, nullable=True,
              check=_positive, help=N_("Empty for unlimited.")),
        Field("grading", "choice", N_("Attempt that counts"), default="highest", choices=GRADING),
        Field("max_points", "float", N_("Points"), nullable=True,
              check=lambda v, p: checks.check_float(v, p, minimum=0),
              help=N_("Empty: one point per question.")),
        Field("shuffle_questions", "bool", N_("Shuffle the questions"), default=False),
        Field("shuffle_options", "bool", N_("Shuffle the options of choice questions"),
              default=False),
        Field("draw", "structured", N_("Draw from banks"), default=[], scope="content",
              check=checks.check_list(_draw_rule), help=N_("[{bank, tags?, count}]")),
        Field("questions", "structured", N_("Fixed questions"), default=[], scope="content",
              check=check_questions, help=N_("[{id, tags?, ...fields of a problem}]")),
        Field("access_code", "text", N_("Access code"), nullable=True, check=_check_access_code,
              help=N_("Students must type it to start or resume (the proctor gives it out). "
                      "Never shown to students.")),
        Field("allowed_networks", "structured", N_("Allowed networks"), default=[],
              check=checks.check_list(_check_network),
              help=N_("CIDR ranges students may take the quiz from, e.g. [10.1.0.0/16]. "
                      "Empty: anywhere.")),
        Field("review", "choice", N_("Students see results and keys"), default="after_submit",
              choices=REVIEW),
    ),
)
