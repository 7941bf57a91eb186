"""Fixtures for grading tests: a small published course with every kind of graded block."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from accounts.service import register_user
from content_store.connect import STORE, open_content_store
from core.settings import Settings
from courses.service import set_member_role
from courseware.service import import_course_folder
from grading import external
from grading.grade_job import grade_submission
from grading.queue import QUEUE, InProcessQueue
from models.courses import Role
from models.users import User

COURSE_ID = "course-v1:Test+GR101+2026"

FILES = {
    "course.yaml": """
        org: Test
        number: GR101
        run: "2026"
        title: Grading test course
        grading_policy:
          pass_threshold: 0.5
          assignment_types:
            - name: Quiz
              weight: 0.5
              drop_lowest: 1
            - name: Homework
              weight: 0.5
          late_policy:
            mode: penalty
            penalty: 0.5
    """,
    "01-basics/chapter.yaml": "title: Basics",
    "01-basics/01-quiz1/sequential.yaml": "title: Quiz one\nassignment_type: Quiz",
    "01-basics/01-quiz1/01-unit-one/unit.yaml": "title: First unit",
    "01-basics/01-quiz1/01-unit-one/01-pick.yaml": """
        type: problem
        title: Pick one
        kind: multiple_choice
        prompt: Which is right?
        options:
          - {id: a, label: Right, correct: true}
          - {id: b, label: Wrong, correct: false, feedback: Not this one.}
        max_points: 2
        max_attempts: 2
    """,
    "01-basics/01-quiz1/01-unit-one/02-number.yaml": """
        type: problem
        title: A number
        kind: numeric
        prompt: Six times seven?
        answer: {value: 42, tolerance: 0.5}
    """,
    "01-basics/02-quiz2/sequential.yaml": "title: Quiz two\nassignment_type: Quiz",
    "01-basics/02-quiz2/01-unit-two/unit.yaml": "title: Second unit",
    "01-basics/02-quiz2/01-unit-two/01-late.yaml": """
        type: problem
        title: Already due
        kind: text
        prompt: Say hi.
        answers: [hi]
        due: 2020-01-01T00:00:00Z
    """,
    "02-more/chapter.yaml": "title: More",
    "02-more/01-hw/sequential.yaml": "title: Homework one\nassignment_type: Homework",
    "02-more/01-hw/01-unit-hw/unit.yaml": "title: Homework unit",
    "02-more/01-hw/01-unit-hw/01-code.yaml": """
        type: code
        title: Double it
        prompt: Write double(x).
        tests: |
          from solution import double
          def test_two():
              assert double(2) == 4
        max_points: 3
    """,
    "02-more/01-hw/01-unit-hw/02-essay.yaml": """
        type: peer_review
        title: Essay
        prompt: Write.
        rubric:
          criteria:
            - name: clarity
              label: Clarity
              options:
                - {name: poor, label: Poor, points: 0}
                - {name: good, label: Good, points: 2}
    """,
}


def write_course(root: Path, extra: dict[str, str] | None = None) -> Path:
    for rel, text in {**FILES, **(extra or {})}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).strip() + "\n")
    return root


@dataclass
class Course:
    id: str
    instructor: User
    ta: User
    student: User
    other: User
    queue: InProcessQueue


async def setup_course(settings: Settings, folder: Path, extra: dict[str, str] | None = None
                       ) -> tuple[User, User, User, User]:
    write_course(folder, extra)
    instructor = await register_user("prof@example.org", "correct horse battery", "Prof",
                                     can_create_courses=True)
    await import_course_folder(None, folder, publish=True, instructor=instructor)
    ta = await register_user("ta@example.org", "correct horse battery", "Tara TA")
    student = await register_user("ada@example.org", "correct horse battery", "Ada")
    other = await register_user("bob@example.org", "correct horse battery", "Bob")
    await set_member_role(instructor, COURSE_ID, ta.id, Role.TA)
    await set_member_role(instructor, COURSE_ID, student.id, Role.STUDENT)
    await set_member_role(instructor, COURSE_ID, other.id, Role.STUDENT)
    return instructor, ta, student, other


@asynccontextmanager
async def graded_course(db: Settings, folder: Path, extra: dict[str, str] | None = None
                        ) -> AsyncIterator[Course]:
    """The ORM, the content store and an in-process queue (jobs run by the test), around
    the test course with `extra` files."""
    store, close = await open_content_store(db)
    STORE.bind(store)
    queue = InProcessQueue()
    QUEUE.bind(queue)
    external.CONFIG.bind(external.config_from(db))
    try:
        people = await setup_course(db, folder, extra)
        yield Course(COURSE_ID, *people, queue=queue)
    finally:
        await queue.close()
        QUEUE.bind(None)
        STORE.bind(None)
        close()


@pytest.fixture
async def course(db: Settings, tmp_path: Path) -> AsyncIterator[Course]:
    async with graded_course(db, tmp_path / "course") as c:
        yield c


async def drain(queue: InProcessQueue) -> list[int]:
    """Run every queued job now, in the test's task (like a worker would)."""
    done = []
    while queue.pending():
        submission_id = queue._jobs.get_nowait()
        await grade_submission(submission_id)
        done.append(submission_id)
    return done
