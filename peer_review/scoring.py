"""Scores from rubric assessments: pure functions, no database.

Per criterion, the median of the option points the scored assessments chose (an even
count takes the mean of the middle two rounded up, as ORA2 does), or the mean as a
course option; the submission's points are the sum over criteria.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import fmean
from typing import Any

from core.errors import BadInput
from core.i18n import gettext as _

FEEDBACK_MAX = 10_000


@dataclass(frozen=True)
class Option:
    name: str
    label: str
    points: float


@dataclass(frozen=True)
class Criterion:
    name: str
    label: str
    options: tuple[Option, ...]
    feedback: str = "optional"  # optional | required | disabled

    @property
    def max_points(self) -> float:
        return max((o.points for o in self.options), default=0.0)

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]

    @classmethod
    def from_fields(cls, rubric: Mapping[str, Any] | None) -> Rubric:
        criteria = []
        for c in (rubric or {}).get("criteria") or []:
            options = tuple(Option(str(o["name"]), str(o.get("label", o["name"])),
                                   float(o.get("points", 0))) for o in c.get("options") or [])
            criteria.append(Criterion(str(c["name"]), str(c.get("label", c["name"])), options,
                                      str(c.get("feedback") or "optional")))
        return cls(tuple(criteria))

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.criteria)

    def as_json(self) -> dict[str, Any]:
        """The rubric as reviewers see it in the API (with each criterion's feedback mode)."""
        return {"criteria": [
            {"name": c.name, "label": c.label, "feedback": c.feedback,
             "options": [{"name": o.name, "label": o.label, "points": o.points}
                         for o in c.options]} for c in self.criteria]}


@dataclass(frozen=True)
class Assessment:
    """A checked assessment: the chosen option per criterion and its points."""

    scores: dict[str, str]
    criterion_feedback: dict[str, str]
    feedback: str
    points: float


def check_assessment(rubric: Rubric, scores: object, feedback: object,
                     criterion_feedback: object = None) -> Assessment:
    """Validate a reviewer's input against the rubric; BadInput naming every problem."""
    errors: dict[str, str] = {}
    if not isinstance(scores, dict):
        raise BadInput(_("Send scores as {criterion: option}."), fields={"scores": "Required."})
    if not isinstance(feedback, str | None):
        errors["feedback"] = "Feedback is text."
    overall = (feedback or "").strip() if isinstance(feedback, str) else ""
    per = criterion_feedback if isinstance(criterion_feedback, dict) else {}
    chosen: dict[str, str] = {}
    texts: dict[str, str] = {}
    points = 0.0
    known = {c.name for c in rubric.criteria}
    for name in scores:
        if name not in known:
            errors[f"scores.{name}"] = _("No such criterion in this rubric.")
    for criterion in rubric.criteria:
        value = scores.get(criterion.name)
        option = criterion.option(value) if isinstance(value, str) else None
        if option is None:
            errors[f"scores.{criterion.name}"] = _(
                "Choose one of: %(options)s.",
                options=", ".join(o.name for o in criterion.options))
        else:
            chosen[criterion.name] = option.name
            points += option.points
        text = per.get(criterion.name)
        text = text.strip() if isinstance(text, str) else ""
        if criterion.feedback == "required" and not text:
            errors[f"feedback.{criterion.name}"] = _("Feedback is required for this criterion.")
        elif criterion.feedback == "disabled" and text:
            errors[f"feedback.{criterion.name}"] = _("This criterion takes no feedback.")
        elif text:
            texts[criterion.name] = text[:FEEDBACK_MAX]
    if len(overall) > FEEDBACK_MAX:
        errors["feedback"] = _("Keep feedback under %(maximum)s characters.", maximum=FEEDBACK_MAX)
    if errors:
        raise BadInput(_("Please complete the rubric."), fields=errors)
    return Assessment(chosen, texts, overall, points)


def median_rounded_up(values: Sequence[float]) -> float:
    """ORA2's median: the middle value; for an even count, the middle two's mean rounded up."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        raise ValueError("no values")
    mid = n // 2
    if n % 2:
        return ordered[mid]
    return float(math.ceil((ordered[mid - 1] + ordered[mid]) / 2))


def combine(values: Sequence[float], method: str) -> float:
    if method == "mean":
        return round(fmean(values), 2)
    return median_rounded_up(values)


@dataclass(frozen=True)
class CriterionScore:
    name: str
    label: str
    points: float
    max_points: float
    feedback: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "points": self.points,
                "max_points": self.max_points, "feedback": self.feedback}


@dataclass(frozen=True)
class Score:
    points: float
    max_points: float
    per_criterion: list[CriterionScore]
    feedback: list[str]


def score(rubric: Rubric, assessments: Sequence[Mapping[str, Any]], method: str = "median"
          ) -> Score:
    """Combine assessments ({scores, criterion_feedback, feedback}) into one score."""
    if not assessments:
        raise ValueError("no assessments")
    per: list[CriterionScore] = []
    for criterion in rubric.criteria:
        values = []
        for a in assessments:
            option = criterion.option((a.get("scores") or {}).get(criterion.name, ""))
            if option is not None:
                values.append(option.points)
        texts = [t for a in assessments
                 if (t := (a.get("criterion_feedback") or {}).get(criterion.name))]
        per.append(CriterionScore(criterion.name, criterion.label,
                                  combine(values, method) if values else 0.0,
                                  criterion.max_points, texts))
    overall = [f for a in assessments if (f := a.get("feedback"))]
    return Score(sum(c.points for c in per), rubric.max_points, per, overall)


def required_reviews(graded_by: int, submitted_at: datetime, now: datetime,
                     flexible_after_days: int | None) -> int:
    """How many peer assessments release a score now: `graded_by`, or with flexible
    grading, after that many days, 30 % of it (at least one), as ORA2's flexible grading."""
    if flexible_after_days is not None and now >= submitted_at + timedelta(
            days=flexible_after_days):
        return max(1, (graded_by * 3) // 10)
    return graded_by
