"""Fixtures for peer review: the grading test course plus a peer_review block `review`
(must_grade 2, graded_by 2, one criterion with required feedback), and quick students."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from content_store.connect import STORE, open_content_store
from core.settings import Settings
from grading import external
from grading.queue import QUEUE, InProcessQueue
from models.courses import Membership, Role
from models.grading import Status, Submission
from models.users import User
from peer_review import alarm, responses
from peer_review.timing import TIMING, timing_from
from tests.browser.conftest import browser  # noqa: F401 (the Chromium fixture, for test_browser)
from tests.grading_app.conftest import COURSE_ID, setup_course

BLOCK = "review"
REVIEW_BLOCK = """
    type: peer_review
    title: Peer essay
    prompt: Argue for **one** idea.
    must_grade: 2
    graded_by: 2
    self_assessment: false
    rubric:
      criteria:
        - name: ideas
          label: Ideas
          feedback: required
          options:
            - {name: none, label: None, points: 0}
            - {name: some, label: Some, points: 1}
            - {name: many, label: Many, points: 3}
        - name: style
          label: Style
          feedback: disabled
          options:
            - {name: poor, label: Poor, points: 0}
            - {name: good, label: Good, points: 2}
"""
QUICK = "quick"
QUICK_BLOCK = REVIEW_BLOCK.replace("must_grade: 2", "must_grade: 1").replace(
    "graded_by: 2", "graded_by: 1").replace("Peer essay", "Quick review")
# Files allowed (graded_by 1); and one with the self-assessment step (must_grade 1).
FILES_BLOCK = QUICK_BLOCK.replace("Quick review", "Essay with files").replace(
    "graded_by: 1", "graded_by: 1\n    allow_file: true")
FILES = "files"
SELFIE_BLOCK = QUICK_BLOCK.replace("Quick review", "Review with self-assessment").replace(
    "self_assessment: false", "self_assessment: true")
SELFIE = "selfie"
EXTRA = {"02-more/01-hw/01-unit-hw/03-review.yaml": REVIEW_BLOCK,
         "02-more/01-hw/01-unit-hw/04-quick.yaml": QUICK_BLOCK,
         "02-more/01-hw/01-unit-hw/05-files.yaml": FILES_BLOCK,
         "02-more/01-hw/01-unit-hw/06-selfie.yaml": SELFIE_BLOCK}
GOOD = {"scores": {"ideas": "many", "style": "good"},
        "criterion_feedback": {"ideas": "Clear."}, "feedback": "Nice work."}


@dataclass
class PeerCourse:
    id: str
    instructor: User
    ta: User
    student: User
    other: User


async def students(n: int, prefix: str = "s") -> list[User]:
    """Members with no password hashing (fast, for many-student properties)."""
    made = []
    for i in range(n):
        user = await User.create(email=f"{prefix}{i}-{datetime.now(UTC).timestamp()}@x.org",
                                 name=f"Student {prefix}{i}", password_hash="!")
        await Membership.create(user_id=user.id, course_id=COURSE_ID, role=Role.STUDENT)
        made.append(user)
    return made


async def respond(user: User, text: str = "my essay", block: str = BLOCK):
    """A peer_review submission as grading stores it, handed to the queue."""
    attempt = await Submission.filter(user_id=user.id, block_id=block).count() + 1
    submission = await Submission.create(
        user_id=user.id, course_id=COURSE_ID, block_id=block, block_type="peer_review",
        attempt=attempt, answer={"text": text}, status=Status.AWAITING_PEER_REVIEW,
        max_points=5.0)
    return await responses.submission_received(submission)


@asynccontextmanager
async def peer_course(db: Settings, folder: Path, files: dict[str, str]
                      ) -> AsyncIterator[PeerCourse]:
    """The ORM, the content store, an in-process queue and the peer-review clocks around
    a course built from `files`."""
    store, close = await open_content_store(db)
    STORE.bind(store)
    QUEUE.bind(InProcessQueue())
    external.CONFIG.bind(external.config_from(db))
    TIMING.bind(timing_from(db))
    try:
        people = await setup_course(db, folder, files)
        yield PeerCourse(COURSE_ID, *people)
    finally:
        await alarm.current().stop()  # no wake-up of this test may ring in the next one
        QUEUE.bind(None)
        STORE.bind(None)
        close()


@pytest.fixture
async def course(db: Settings, tmp_path: Path) -> AsyncIterator[PeerCourse]:
    async with peer_course(db, tmp_path / "course", EXTRA) as c:
        yield c
