"""The course root: title, dates, grading policy and course-wide settings."""

from __future__ import annotations

from typing import Any

from content_store.blocks import checks
from content_store.blocks.base import BlockType, Field
from content_store.blocks.checks import FieldProblem, Path
from content_store.blocks.common import title
from content_store.blocks.questions import check_banks
from core.i18n import N_
from core.i18n import gettext as _

_assignment_type = checks.check_record(
    required={
        "name": checks.check_title,
        "weight": lambda v, p: checks.check_float(v, p, minimum=0, maximum=1),
    },
    optional={
        "short_label": checks.check_title,
        "drop_lowest": lambda v, p: checks.check_int(v, p, minimum=0),
    },
    defaults={"drop_lowest": 0},
)

# What happens to a submission after its due date (and any extension): refused, or
# accepted with `penalty` (a fraction of the points) deducted. `grace_minutes` absorbs
# clock skew and last-second clicks.
_late_policy = checks.check_record(
    required={"mode": checks.check_choice(("reject", "penalty"))},
    optional={
        "penalty": lambda v, p: checks.check_float(v, p, minimum=0, maximum=1),
        "grace_minutes": lambda v, p: checks.check_int(v, p, minimum=0),
    },
    defaults={"penalty": 0.0, "grace_minutes": 0},
)

_policy_record = checks.check_record(
    required={"assignment_types": checks.check_list(_assignment_type)},
    optional={"pass_threshold": lambda v, p: checks.check_float(v, p, minimum=0, maximum=1),
              "late_policy": _late_policy},
    defaults={"pass_threshold": 0.5},
)


def _check_policy(value: Any, path: Path) -> dict[str, Any]:
    policy = _policy_record(value, path)
    types = policy["assignment_types"]
    checks.unique(types, "name", (*path, "assignment_types"))
    total = sum(t["weight"] for t in types)
    if types and abs(total - 1.0) > 1e-6:
        raise FieldProblem((*path, "assignment_types"),
                           _("weights must add up to 1 (they add up to %(total)s)",
                             total=format(total, "g")))
    return policy


BLOCK = BlockType(
    name="course",
    label=N_("Course"),
    children=frozenset({"chapter"}),
    fields=(
        title(),
        Field("description", "markdown", N_("About this course"), default="", scope="content"),
        Field("start", "datetime", N_("Starts"), nullable=True),
        Field("end", "datetime", N_("Ends"), nullable=True),
        Field("language", "ident", N_("Language"), default="en"),
        Field("grading_policy", "structured", N_("Grading policy"),
              default={"assignment_types": [], "pass_threshold": 0.5}, check=_check_policy,
              help=N_("assignment_types: [{name, short_label, weight, drop_lowest}], "
                      "pass_threshold, "
                      "late_policy: {mode: reject|penalty, penalty, grace_minutes}")),
        Field("peer_review_scoring", "choice", N_("Combine peer review scores by"),
              default="median", choices=("median", "mean"),
              help=N_("The course's default for peer_review blocks (each may override it): "
                      "median (as ORA2) or mean of the peers' points per criterion.")),
        Field("forum_anonymity", "choice", N_("Most anonymity a student may choose in the forum"),
              default="peers", choices=("none", "peers", "all"),
              help=N_("peers: hidden from students, visible to staff; all: hidden from everyone.")),
        Field("question_banks", "structured", N_("Question banks"), default={}, scope="content",
              check=check_banks,
              help=N_("{bank name: [{id, tags, ...fields of a problem}]}; in a course folder, "
                      "one file per bank: banks/<name>.yaml")),
    ),
)
