"""A published course with a question bank and a timed quiz, its people and their tokens,
and a clock the test can move (quizzes read `core.clock.now`)."""

from __future__ import annotations

import asyncio
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from core import clock
from courses.service import set_member_role
from courseware.service import import_course_folder
from models.courses import Role
from models.quizzes import AttemptStatus, QuizAttempt
from models.users import User
from tests.support.people import bearer, person, token

COURSE_ID = "course-v1:Test+QZ1+2026"
QUIZ_URL = f"/api/v1/courses/{COURSE_ID}/quizzes/midterm/attempts"

FILES = {
    "course.yaml": """
        org: Test
        number: QZ1
        run: "2026"
        title: Quiz course
    """,
    "banks/arith.yaml": """
        - id: add
          tags: [easy]
          title: Adding
          kind: numeric
          prompt: What is 2 + 2?
          answer: {value: 4}
          explanation: KEY-EXPLANATION
        - id: sub
          tags: [easy]
          title: Subtracting
          kind: numeric
          prompt: What is 9 - 2?
          answer: {value: 7}
        - id: word
          tags: [easy]
          title: A word
          kind: text
          prompt: Which keyword repeats while a condition holds?
          answers: [while]
    """,
    "01-exams/chapter.yaml": "title: Exams",
    "01-exams/01-mid/sequential.yaml": "title: Midterm",
    "01-exams/01-mid/01-paper/unit.yaml": "title: The paper",
    "01-exams/01-mid/01-paper/01-midterm.yaml": """
        type: quiz
        title: Midterm
        time_limit_minutes: 30
        max_attempts: 2
        shuffle_questions: true
        shuffle_options: true
        draw:
          - {bank: arith, count: 2}
        questions:
          - id: capital
            title: Capital
            kind: multiple_choice
            prompt: The capital of France?
            options:
              - {id: paris, label: Paris, correct: true, feedback: KEY-FEEDBACK}
              - {id: lyon, label: Lyon, correct: false}
              - {id: nice, label: Nice, correct: false}
    """,
    "01-exams/01-mid/01-paper/02-later.yaml": """
        type: quiz
        title: Not open yet
        opens_at: 2999-01-01T09:00:00Z
        review: never
        questions:
          - {id: q, title: Q, kind: text, prompt: Say hi., answers: [hi]}
    """,
}

RIGHT = {"capital": {"choice": "paris"}, "arith:add": {"value": 4},
         "arith:sub": {"value": 7}, "arith:word": {"text": "while"}}


async def graded(attempt_id: int) -> QuizAttempt:
    """The attempt once grading's queue has graded it: a hand-in only submits it, and the
    job runs after (in this process when embedded, or in the app's Redis consumer)."""
    for _ in range(400):
        attempt = await QuizAttempt.get(id=attempt_id)
        if attempt.status == AttemptStatus.GRADED:
            return attempt
        await asyncio.sleep(0.025)
    raise AssertionError(f"attempt {attempt_id} was not graded")


@dataclass
class QuizCourse:
    id: str
    instructor: User
    ta: User
    student: User
    other: User
    headers: dict[str, dict[str, str]]  # email name -> Authorization header


class Clock:
    """The quizzes' clock, moved by the test (grading keeps the real one)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = datetime.now(UTC)
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def forward(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def moved_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def use_grading_method(monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    """The midterm with `grading: method` (call before the course is imported)."""
    midterm = "01-exams/01-mid/01-paper/01-midterm.yaml"
    monkeypatch.setitem(FILES, midterm, FILES[midterm].replace(
        "max_attempts: 2", f"max_attempts: 2\n        grading: {method}"))


def write_course(root: Path) -> Path:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).strip() + "\n")
    return root


async def setup_quiz_course(root: Path) -> tuple[User, User, User, User]:
    """The course imported and published from `root`: its instructor Prof, TA Tara, and
    students Ada and Bob."""
    instructor = await person("prof@example.org", "Prof", creator=True)
    await import_course_folder(None, write_course(root), publish=True, instructor=instructor)
    ta, student, other = (await person("ta@example.org", "Tara"),
                          await person("ada@example.org", "Ada"),
                          await person("bob@example.org", "Bob"))
    await set_member_role(instructor, COURSE_ID, ta.id, Role.TA)
    for user in (student, other):
        await set_member_role(instructor, COURSE_ID, user.id, Role.STUDENT)
    return instructor, ta, student, other


@pytest.fixture
async def quiz_course(app, client: httpx.AsyncClient, tmp_path: Path) -> QuizCourse:
    instructor, ta, student, other = await setup_quiz_course(tmp_path / "course")
    headers = {u.email.split("@")[0]: bearer(await token(client, u.email))
               for u in (instructor, ta, student, other)}
    return QuizCourse(COURSE_ID, instructor, ta, student, other, headers)
