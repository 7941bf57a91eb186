"""A student's mark on each unit of the outline: not started, in progress or done, and the
unit's score. The course outline, the course home and the progress page all show the same
mark fragment (`grading/_unit_mark.html`); a new grade pushes the marks of that student's
course with the progress region, so open outlines fill in live.

A unit's score adds up its graded components (grading alone owns points); a unit with
nothing to submit gets an empty mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from content_store import PUBLISHED, CourseNotFound
from content_store.connect import current_store
from core.errors import NotFound
from core.i18n import gettext as _
from core.templating import render
from grading.course_blocks import CourseLayout
from grading.gradebook import StudentGrade, student_grade

NOT_STARTED, IN_PROGRESS, DONE, UNGRADED = "not-started", "in-progress", "done", "ungraded"


@dataclass(frozen=True)
class UnitMark:
    course_id: str
    unit_id: str
    state: str
    earned: float = 0.0
    possible: float = 0.0

    @property
    def label(self) -> str:
        # looked up when shown, in the viewer's language
        labels = {NOT_STARTED: _("Not started"), IN_PROGRESS: _("In progress"), DONE: _("Done"),
                  UNGRADED: _("Nothing to submit")}
        return labels[self.state]


def _units(outline: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        if node["type"] == "vertical":
            found.append(node)
            return
        for child in node["children"]:
            walk(child)

    walk(outline)
    return found


def _mark(layout: CourseLayout, grade: StudentGrade, unit_id: str) -> UnitMark:
    scores = [s for s in grade.blocks.values() if s.block.unit_id == unit_id]
    if not scores:
        return UnitMark(layout.course_id, unit_id, UNGRADED)
    earned = sum(s.points or 0.0 for s in scores)
    possible = sum(s.block.max_points for s in scores)
    if all(s.points is not None for s in scores):
        state = DONE
    elif any(s.points is not None for s in scores):
        # Only graded work counts: an attempt in the queue changes no mark (its frames
        # carry none), so an open outline and a reload agree.
        state = IN_PROGRESS
    else:
        state = NOT_STARTED
    return UnitMark(layout.course_id, unit_id, state, earned, possible)


def graded_marks(layout: CourseLayout, grade: StudentGrade) -> list[UnitMark]:
    """The marks of the units that hold graded work (the only ones a grade can change)."""
    units = dict.fromkeys(b.unit_id for b in layout.blocks if b.unit_id)
    return [_mark(layout, grade, unit_id) for unit_id in units]


async def student_marks(course_id: str, user_id: int) -> dict[str, UnitMark]:
    """Every published unit's mark for a student, in outline order (none before anything
    is published)."""
    try:
        layout, grade = await student_grade(course_id, user_id)
        outline = await current_store().get_outline(course_id, PUBLISHED)
    except (NotFound, CourseNotFound):  # nothing published yet: an outline without marks
        return {}
    return {u["id"]: _mark(layout, grade, u["id"]) for u in _units(outline)}


def mark_html(mark: UnitMark, *, oob: bool) -> str:
    return render("grading/_unit_mark.html", mark=mark, oob=oob)


def marks_html(layout: CourseLayout, grade: StudentGrade) -> str:
    """The marks a grade can change, as out-of-band parts: pushed with a student's
    progress region."""
    return "".join(mark_html(m, oob=True) for m in graded_marks(layout, grade))
