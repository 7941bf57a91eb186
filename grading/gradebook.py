"""Hierarchical grades: block -> assignment (sequential) -> assignment type -> course,
and per-section (chapter) totals, following the course's grading policy.

Like Open edX: each graded sequential is one assignment scored earned/possible; an
assignment type averages its assignments after dropping the `drop_lowest` worst; the
course percentage is the weighted sum over types. A block's score is a manual override
if staff set one, else what its graded attempts count for under the block's rule
(grading.counting: best, last, first or average).
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.errors import BadInput
from courses.service import get_course, require_role
from grading.counting import counted_points
from grading.course_blocks import CourseLayout, GradedBlock, course_layout
from models.courses import Membership, Role
from models.grading import GradeOverride, Status, Submission
from models.users import User

IN_FLIGHT = (Status.QUEUED, Status.GRADING)


@dataclass(frozen=True)
class CountedAttempt:
    attempt: int
    status: str
    points: float | None


@dataclass
class BlockScore:
    block: GradedBlock
    points: float | None = None
    status: str | None = None  # the latest submission's status
    attempts: int = 0
    overridden: bool = False

    @property
    def pending(self) -> bool:
        return self.status in IN_FLIGHT


@dataclass(frozen=True)
class AssignmentScore:
    sequential_id: str
    title: str
    type_name: str
    earned: float
    possible: float
    dropped: bool = False

    @property
    def percent(self) -> float:
        return self.earned / self.possible if self.possible else 0.0


@dataclass(frozen=True)
class TypeScore:
    name: str
    short_label: str
    weight: float
    percent: float
    assignments: list[AssignmentScore]


@dataclass(frozen=True)
class SectionScore:
    chapter_id: str
    title: str
    earned: float
    possible: float

    @property
    def percent(self) -> float:
        return self.earned / self.possible if self.possible else 0.0


@dataclass
class StudentGrade:
    user_id: int
    name: str
    email: str
    blocks: dict[str, BlockScore]
    types: list[TypeScore] = field(default_factory=list)
    sections: list[SectionScore] = field(default_factory=list)
    percent: float = 0.0
    passed: bool = False

    @property
    def pending(self) -> bool:
        return any(s.pending for s in self.blocks.values())


def aggregate(layout: CourseLayout, grade: StudentGrade) -> StudentGrade:
    """Fill in assignments, types, sections and the course percentage (pure)."""
    by_seq: dict[str, list[BlockScore]] = defaultdict(list)
    for block in layout.blocks:
        if block.assignment_type and block.sequential_id:
            by_seq[block.sequential_id].append(grade.blocks[block.id])
    types: list[TypeScore] = []
    for t in layout.policy.assignment_types:
        assignments = [
            AssignmentScore(seq_id, scores[0].block.sequential_title, t["name"],
                            sum(s.points or 0.0 for s in scores),
                            sum(s.block.max_points for s in scores))
            for seq_id, scores in by_seq.items()
            if scores[0].block.assignment_type == t["name"]
        ]
        drop = int(t.get("drop_lowest") or 0)
        if drop and len(assignments) > drop:
            lowest = sorted(range(len(assignments)), key=lambda i: assignments[i].percent)[:drop]
            assignments = [AssignmentScore(a.sequential_id, a.title, a.type_name, a.earned,
                                           a.possible, dropped=i in lowest)
                           for i, a in enumerate(assignments)]
        kept = [a for a in assignments if not a.dropped and a.possible]
        percent = sum(a.percent for a in kept) / len(kept) if kept else 0.0
        types.append(TypeScore(t["name"], t.get("short_label") or t["name"],
                               float(t["weight"]), percent, assignments))
    sections = []
    for chapter_id, title in layout.chapters:
        scores = [grade.blocks[b.id] for b in layout.blocks if b.chapter_id == chapter_id]
        if scores:
            sections.append(SectionScore(chapter_id, title,
                                         sum(s.points or 0.0 for s in scores),
                                         sum(s.block.max_points for s in scores)))
    if types:
        percent = sum(t.weight * t.percent for t in types)
    else:
        possible = sum(b.max_points for b in layout.blocks)
        percent = (sum(s.points or 0.0 for s in grade.blocks.values()) / possible
                   if possible else 0.0)
    grade.types, grade.sections = types, sections
    grade.percent = min(max(percent, 0.0), 1.0)
    grade.passed = grade.percent >= layout.policy.pass_threshold
    return grade


async def grades_for(layout: CourseLayout, users: Iterable[User]) -> list[StudentGrade]:
    """Grades of these users in the layout's course, read in three queries."""
    people = list(users)
    ids = [u.id for u in people]
    blocks = {b.id: b for b in layout.blocks}
    grades = {u.id: StudentGrade(u.id, u.name, u.email,
                                 {b.id: BlockScore(b) for b in layout.blocks}) for u in people}
    # Both reads at once: this sits between a grade's commit and its frame.
    rows, overrides = await asyncio.gather(
        Submission.filter(course_id=layout.course_id, user_id__in=ids).order_by(
            "attempt").values_list("user_id", "block_id", "attempt", "status", "points"),
        GradeOverride.filter(course_id=layout.course_id, user_id__in=ids).order_by(
            "id").values_list("user_id", "block_id", "points"))
    attempts: dict[tuple[int, str], list[CountedAttempt]] = defaultdict(list)
    for user_id, block_id, attempt, status, points in rows:
        if block_id not in blocks:
            continue
        score = grades[user_id].blocks[block_id]
        score.status = status  # rows come in attempt order: the latest one's stays
        if status != Status.ERROR:
            score.attempts += 1
        attempts[(user_id, block_id)].append(CountedAttempt(attempt, status, points))
    for (user_id, block_id), tried in attempts.items():
        score = grades[user_id].blocks[block_id]
        score.points = counted_points(score.block.counting_rule, tried)
    latest: dict[tuple[int, str], float | None] = {}
    for user_id, block_id, points in overrides:
        latest[(user_id, block_id)] = points
    for (user_id, block_id), points in latest.items():
        if points is not None and block_id in blocks:
            score = grades[user_id].blocks[block_id]
            score.points, score.overridden = points, True
    return [aggregate(layout, grades[u.id]) for u in people]


async def student_grade(course_id: str, user_id: int, *, layout: CourseLayout | None = None,
                        user: User | None = None) -> tuple[CourseLayout, StudentGrade]:
    """One student's grade; pass the layout and user if you hold them (saves the reads)."""
    layout = layout or await course_layout(course_id)
    user = user if user is not None and user.id == user_id else await User.get(id=user_id)
    return layout, (await grades_for(layout, [user]))[0]


async def progress(viewer: User, course_id: str) -> tuple[CourseLayout, StudentGrade]:
    """The viewer's own progress in a course (any member)."""
    await require_role(viewer, course_id, Role.STUDENT)
    return await student_grade(course_id, viewer.id)


@dataclass(frozen=True)
class GradebookFilter:
    query: str = ""  # name or email contains
    section: str = ""  # chapter id: show only its blocks
    only: str = ""  # "", "failing", "pending"
    groups: tuple[str, ...] | None = None  # only members of these groups (None: everyone)


async def gradebook(viewer: User, course_id: str, filters: GradebookFilter | None = None
                    ) -> tuple[CourseLayout, list[StudentGrade]]:
    """Every student's grades (staff), filtered; students get only their own row.

    With a `section` filter the returned layout holds only that section's blocks and the
    grades only its section total (the course totals still count every section), so the
    page, the JSON and the CSV all show the same columns.
    """
    role = await require_role(viewer, course_id, Role.STUDENT)
    layout = await course_layout(course_id)
    filters = filters or GradebookFilter()
    view = section_view(layout, filters.section)
    if role == Role.STUDENT:
        return view, narrow(await grades_for(layout, [viewer]), filters.section)
    grades = await grades_for(layout, await course_students(course_id, filters.query,
                                                              filters.groups))
    return view, narrow([g for g in grades if row_kept(filters)(g)], filters.section)


def row_sort_key(user: User) -> tuple[str, int]:
    """Where a student's row sits in the gradebook: by name, then by id."""
    return user.name.lower(), user.id


async def course_students(course_id: str, query: str = "",
                          groups: tuple[str, ...] | None = None) -> list[User]:
    """The course's students in gradebook order, those whose name or email holds `query`
    (and who are in one of `groups`, when given)."""
    found = Membership.filter(course_id=course_id, role=Role.STUDENT)
    if groups is not None:
        found = found.filter(group__in=list(groups))
    memberships = await found.prefetch_related("user")
    users = sorted((m.user for m in memberships), key=row_sort_key)
    if query:
        q = query.lower()
        users = [u for u in users if q in u.name.lower() or q in u.email.lower()]
    return users


def row_kept(filters: GradebookFilter) -> Callable[[StudentGrade], bool]:
    """Whether a row passes the `only` filter (failing, pending, or every row)."""
    keep: Callable[[StudentGrade], bool] = {
        "failing": lambda g: not g.passed, "pending": lambda g: g.pending,
    }.get(filters.only, lambda g: True)
    return keep


def section_view(layout: CourseLayout, section: str) -> CourseLayout:
    if not section:
        return layout
    chapters = [c for c in layout.chapters if c[0] == section]
    if not chapters:
        raise BadInput(f"This course has no section {section[:100]!r}.",
                       fields={"section": "Unknown section."})
    return replace(layout, blocks=[b for b in layout.blocks if b.chapter_id == section],
                   chapters=chapters)


def narrow(grades: list[StudentGrade], section: str) -> list[StudentGrade]:
    if section:
        for g in grades:
            g.sections = [s for s in g.sections if s.chapter_id == section]
            g.blocks = {k: v for k, v in g.blocks.items() if v.block.chapter_id == section}
    return grades


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value safe to put in a CSV cell: text that a spreadsheet would take for a
    formula gets a leading apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def grades_csv(layout: CourseLayout, grades: Iterable[StudentGrade],
               tick: Callable[[], None] | None = None) -> str:
    """One row per student: identity, course %, pass, each type %, each section, each block."""
    out = io.StringIO()
    writer = csv.writer(out)
    type_names = [t["name"] for t in layout.policy.assignment_types]
    writer.writerow(map(csv_cell, [
        "user_id", "name", "email", "percent", "passed", *[f"{n} %" for n in type_names],
        *[f"section {title}" for _, title in layout.chapters],
        *[f"{b.id} ({b.max_points:g})" for b in layout.blocks]]))
    for g in grades:
        sections = {s.chapter_id: s for s in g.sections}
        writer.writerow(map(csv_cell, [
            g.user_id, g.name, g.email, f"{g.percent * 100:.2f}", "yes" if g.passed else "no",
            *[f"{t.percent * 100:.2f}" for t in g.types],
            *[f"{sections[c].earned:g}/{sections[c].possible:g}" if c in sections else ""
              for c, _ in layout.chapters],
            *["" if g.blocks[b.id].points is None else f"{g.blocks[b.id].points:g}"
              for b in layout.blocks],
        ]))
        if tick:
            tick()
    return out.getvalue()


async def export_grades(course_id: str, path: str,
                        progress: Callable[[int, int], None] | None = None,
                        chunk: int = 200) -> int:
    """Write every student's grades in a course to a CSV file; returns the row count.

    Students are read in chunks so a large course streams; `progress(done, total)` is
    called after each chunk (the CLI draws a progress bar with it).
    """
    await get_course(course_id)
    layout = await course_layout(course_id)
    users = await course_students(course_id)
    total = len(users)
    if progress:
        progress(0, total)
    parts: list[str] = []
    for start in range(0, total or 1, chunk):
        text = grades_csv(layout, await grades_for(layout, users[start:start + chunk]))
        parts.append(text if not parts else text.split("\r\n", 1)[1])
        if progress:
            progress(min(start + chunk, total), total)
    await asyncio.to_thread(Path(path).write_text, "".join(parts), encoding="utf-8")
    return total
