"""Grades as each audience may see them, by the release rule (courses.release).

A course's layout (grading.course_blocks) holds every graded block of the published
version, released or not, so points and totals are the same everywhere. What differs is
what is shown: a student's progress region, their outline marks, their gradebook row and
their grade events name only blocks, assignments and sections released to students (an
unreleased title or id never reaches them); the staff's gradebook shows every column, each
withheld one with the note saying why ("Releases 2099-01-27 09:00 UTC").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from content_store.keys import BlockKey
from core.errors import BadInput
from core.i18n import gettext as _
from core.paging import PageRequest
from courses.release import path_mark
from courses.service import require_role
from courses.visibility import published_course
from grading.course_blocks import CourseLayout
from grading.gradebook import (
    GradebookFilter,
    SectionScore,
    StudentGrade,
    TypeScore,
    gradebook,
    progress,
)
from grading.gradebook_pages import gradebook_page
from models.courses import Role
from models.users import User


@dataclass(frozen=True)
class GradeRelease:
    """Which of a layout's blocks and chapters students may not see now, and why."""

    withheld: frozenset[str] = frozenset()
    notes: dict[str, str] = field(default_factory=dict)  # block or chapter id -> label

    def student_sees(self, block_id: str | None) -> bool:
        return block_id not in self.withheld


async def grade_release(layout: CourseLayout) -> GradeRelease:
    """The release state now of the layout's graded blocks and chapters."""
    course = await published_course(layout.course_id)
    if course is None:
        return GradeRelease()
    notes: dict[str, str] = {}
    keys = [BlockKey(b.type, b.id) for b in layout.blocks]
    keys += [BlockKey("chapter", chapter_id) for chapter_id, _title in layout.chapters]
    for key in keys:
        if key in course.structure.blocks and key.id in course.release.withheld:
            mark = path_mark(course.structure, course.release, key)
            if mark is not None:
                notes[key.id] = mark.label
    return GradeRelease(course.release.withheld, notes)


def student_layout(layout: CourseLayout, release: GradeRelease) -> CourseLayout:
    """The layout without the blocks and chapters students may not see now."""
    if not release.withheld:
        return layout
    return replace(layout, blocks=[b for b in layout.blocks if release.student_sees(b.id)],
                   chapters=[c for c in layout.chapters if release.student_sees(c[0])])


def student_grade_view(layout: CourseLayout, grade: StudentGrade, release: GradeRelease
                       ) -> StudentGrade:
    """A student's grade naming only what is released (`layout` from student_layout).
    The course and type percentages stay as computed, so every view agrees on them."""
    if not release.withheld:
        return grade
    shown = {b.id for b in layout.blocks}
    types = [TypeScore(t.name, t.short_label, t.weight, t.percent,
                       [a for a in t.assignments if release.student_sees(a.sequential_id)
                        and any(b.sequential_id == a.sequential_id for b in layout.blocks)])
             for t in grade.types]
    blocks = {k: v for k, v in grade.blocks.items() if k in shown}
    sections = []
    for chapter_id, title in layout.chapters:
        scores = [s for s in blocks.values() if s.block.chapter_id == chapter_id]
        if scores:
            sections.append(SectionScore(chapter_id, title,
                                         sum(s.points or 0.0 for s in scores),
                                         sum(s.block.max_points for s in scores)))
    return replace(grade, blocks=blocks, types=types, sections=sections)


async def as_student(layout: CourseLayout, grade: StudentGrade
                     ) -> tuple[CourseLayout, StudentGrade]:
    """The layout and grade as the student reads them now."""
    release = await grade_release(layout)
    shown = student_layout(layout, release)
    return shown, student_grade_view(shown, grade, release)


async def progress_view(viewer: User, course_id: str) -> tuple[CourseLayout, StudentGrade]:
    """The viewer's own progress, naming only what students may see now (the progress
    page and its pushed region are the student's view for everyone, staff included)."""
    layout, grade = await progress(viewer, course_id)
    return await as_student(layout, grade)


async def gradebook_view(viewer: User, course_id: str, filters: GradebookFilter | None = None,
                         page: PageRequest | None = None
                         ) -> tuple[CourseLayout, list[StudentGrade], GradeRelease,
                                    tuple[int, ...] | None]:
    """The gradebook (grading.gradebook.gradebook), or one page of its rows and the next
    page's key (grading.gradebook_pages), as the viewer may read it: staff get every
    column and the release notes of the withheld ones; a student their own row without
    what is withheld (a withheld section is as unknown as a missing one)."""
    after = None
    if page is None:
        layout, grades = await gradebook(viewer, course_id, filters)
    else:
        layout, grades, after = await gradebook_page(viewer, course_id,
                                                     filters or GradebookFilter(), page)
    release = await grade_release(layout)
    if await require_role(viewer, course_id) != Role.STUDENT:
        return layout, grades, release, after
    if filters and filters.section and not release.student_sees(filters.section):
        raise BadInput(_("This course has no section %(section)s.",
                         section=repr(filters.section[:100])),
                       fields={"section": _("Unknown section.")})
    shown = student_layout(layout, release)
    return (shown, [student_grade_view(shown, g, release) for g in grades], GradeRelease(),
            None)
