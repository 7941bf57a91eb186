"""A gradeable block as grading reads it from the published course: its fields, where it
sits, and the rules its fields set (points, attempts, cooldown, external grader).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from grading.counting import CountingRule, rule_from_counts


@dataclass(frozen=True)
class GradedBlock:
    course_id: str
    id: str
    type: str
    title: str
    fields: Mapping[str, Any]
    due_at: datetime | None
    assignment_type: str | None
    sequential_id: str | None
    sequential_title: str
    chapter_id: str | None
    chapter_title: str
    # From the block's `max_points` field, or its type's hook (grading.block_types).
    max_points: float
    unit_id: str | None = None  # the unit (vertical) it sits in, for the outline's marks
    # Which graded attempts make its score: its type's rule (grading.block_types), else
    # its `counts` field.
    counting: CountingRule | None = None

    @property
    def max_attempts(self) -> int | None:
        value = self.fields.get("max_attempts")
        return value if isinstance(value, int) and value > 0 else None

    @property
    def grader_url(self) -> str | None:
        return self.fields.get("grader_url") or None

    @property
    def counting_rule(self) -> CountingRule:
        return self.counting or rule_from_counts(self.fields)

    @property
    def counts_last(self) -> bool:
        """True if the newest graded attempt counts."""
        return self.counting_rule == CountingRule.LAST

    @property
    def cooldown(self) -> timedelta:
        """How long a student waits after an attempt before the next one."""
        value = self.fields.get("cooldown_seconds")
        return timedelta(seconds=value if isinstance(value, int) and value > 0 else 0)
