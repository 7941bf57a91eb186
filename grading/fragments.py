"""Grading's HTML partials and their DOM ids, as pages render them and as out-of-band
swaps: the submit widget of a block, a student's progress region and their gradebook
cells. Each partial takes an `oob` flag, so the page and the pushed frame come from the
same template.
"""

from __future__ import annotations

from pathlib import Path

from core.templating import add_template_dir, dom_id, env, render
from grading.block_state import BlockState
from grading.course_blocks import CourseLayout
from grading.gradebook import StudentGrade
from grading.outline_marks import marks_html

add_template_dir(Path(__file__).parent / "templates")


def widget_id(course_id: str, block_id: str) -> str:
    """The submit widget of one block (one per student: it sits on their own page)."""
    return dom_id("submission", course_id, block_id)


def progress_id(course_id: str, user_id: int) -> str:
    return dom_id("progress", course_id, user_id)


def gradebook_row_id(user_id: int) -> str:
    return dom_id("gb-row", user_id)


def gradebook_cell_id(user_id: int, *column: object) -> str:
    """A cell of a student's gradebook row: a block id, ("type", i), ("section", id), "total"."""
    return dom_id("gb", user_id, *column)


def extension_row_id(extension_id: int) -> str:
    return dom_id("extension", extension_id)


env.globals.update(grading_widget_id=widget_id, grading_progress_id=progress_id,
                   gradebook_row_id=gradebook_row_id, gradebook_cell_id=gradebook_cell_id,
                   extension_row_id=extension_row_id)


def widget_html(state: BlockState, *, oob: bool, error: str | None = None) -> str:
    return render("grading/_widget.html", state=state, oob=oob, error=error)


def progress_html(layout: CourseLayout, grade: StudentGrade, *, oob: bool) -> str:
    return render("grading/_progress.html", layout=layout, grade=grade, oob=oob) + (
        marks_html(layout, grade) if oob else "")  # pushed: the outline's unit marks too


def gradebook_cells_html(layout: CourseLayout, grade: StudentGrade,
                         block_ids: list[str] | None = None) -> str:
    return render("grading/_gradebook_cells.html", layout=layout, grade=grade,
                  block_ids=block_ids)
