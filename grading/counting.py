"""Which graded attempts make a block's score: the block's counting rule.

A problem says it with `counts: best|last`; a block type another domain scores may
declare its own rule from its fields (grading.block_types, e.g. a quiz's `grading`).
Only graded attempts count: one still queued or grading, and one that errored or was
withdrawn, is left out of every rule (so `first` is the first attempt that was graded,
and `average` averages the graded ones).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, Protocol

from core.i18n import gettext as _
from models.grading import Status


class CountingRule(StrEnum):
    HIGHEST = "highest"
    LAST = "last"
    AVERAGE = "average"
    FIRST = "first"

    @property
    def label(self) -> str:
        """How a page names the score that counts under this rule."""
        labels = {CountingRule.HIGHEST: _("best score"),
                  CountingRule.LAST: _("last graded attempt"),
                  CountingRule.AVERAGE: _("average of graded attempts"),
                  CountingRule.FIRST: _("first graded attempt")}
        return labels[self]


def rule_from_counts(fields: Mapping[str, Any]) -> CountingRule:
    """A problem's rule: its `counts` field (`best`, the default, or `last`)."""
    return CountingRule.LAST if fields.get("counts") == "last" else CountingRule.HIGHEST


class Graded(Protocol):
    @property
    def attempt(self) -> int: ...
    @property
    def status(self) -> Status | str: ...
    @property
    def points(self) -> float | None: ...


def counted_points(rule: CountingRule, attempts: Iterable[Graded]) -> float | None:
    """The block's score under `rule`; None while no attempt is graded."""
    graded = sorted((a.attempt, a.points) for a in attempts
                     if a.status == Status.GRADED and a.points is not None)
    if not graded:
        return None
    points = [p for _attempt, p in graded]
    if rule == CountingRule.LAST:
        return points[-1]
    if rule == CountingRule.FIRST:
        return points[0]
    if rule == CountingRule.AVERAGE:
        return round(sum(points) / len(points), 6)
    return max(points)
