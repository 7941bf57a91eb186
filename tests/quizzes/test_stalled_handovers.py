"""A handed-in attempt whose handover to grading never stored its submission (the process
died after the claim) is handed over again by the deadline schedule's sweep once a lease
has passed, and graded; exactly once, however many sweeps and slow handovers there are.
Attempts grading holds, refused, or staff reopened are left alone. In embedded and
service mode."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from tortoise.expressions import Q

from core.errors import InvalidState
from courses.service import set_member_role
from models.courses import Role
from models.grading import Status, Submission
from models.quiz_audit import AttemptAction, QuizAttemptEvent
from models.quizzes import AttemptStatus, QuizAttempt
from models.users import User
from quizzes import attempts, deadlines
from quizzes.attempts import hand_in, hand_to_grading, save_answer, start_attempt
from quizzes.presenters import paper_of
from quizzes.reopening import reopen_attempt
from tests.quizzes.conftest import RIGHT, Clock, QuizCourse, graded
from tests.support.people import person

LEASE = 60.0


@pytest.fixture
def own_sweeps_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's own deadline rounds sweep nothing: the test runs its sweeps itself."""
    monkeypatch.setattr(deadlines, "HANDOVER_LEASE", 10.0 ** 9)


class HeldHandover:
    """The first handover to store a submission waits, once it claimed its attempt, until
    the test releases it; later handovers go straight through."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.storing, self.release = asyncio.Event(), asyncio.Event()
        real = attempts.submit_answer

        async def submit(*args: Any, **kwargs: Any) -> Submission:
            if not self.storing.is_set():
                self.storing.set()
                await self.release.wait()
            return await real(*args, **kwargs)

        monkeypatch.setattr(attempts, "submit_answer", submit)

    async def claimed(self) -> None:
        await asyncio.wait_for(self.storing.wait(), timeout=10)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> HeldHandover:
    return HeldHandover(monkeypatch)


def within(work: Any) -> Any:
    """Awaited with a bound: a handover that wrongly waits at the gate fails, not hangs."""
    return asyncio.wait_for(work, timeout=10)


async def student(course: QuizCourse, n: int) -> User:
    user = await person(f"student{n}@example.org", f"Student {n}")
    await set_member_role(course.instructor, course.id, user.id, Role.STUDENT)
    return user


async def stalled(user: User, course: QuizCourse) -> list[QuizAttempt]:
    """An attempt answered right and handed in, whose handover to grading never ran (its
    process died after the claim): what that handover would have held."""
    attempt, _ = await start_attempt(user, course.id, "midterm")
    for drawn in paper_of(attempt):
        await save_answer(user, attempt.id, drawn.id, {"answer": RIGHT[drawn.id]})
    handed = await hand_in(Q(id=attempt.id), by_server=False)
    assert [a.id for a in handed] == [attempt.id]
    return handed


async def submissions_of(attempt_id: int) -> list[Submission]:
    attempt = await QuizAttempt.get(id=attempt_id)
    return [s for s in await Submission.filter(user_id=attempt.user_id, block_id="midterm")
            if s.answer == {"attempt": attempt_id}]


async def graded_once(attempt_id: int) -> None:
    done = await graded(attempt_id)
    assert done.points == 3.0
    [submission] = await submissions_of(attempt_id)
    assert done.submission_id == submission.id
    trail = [t.action for t in await QuizAttemptEvent.filter(attempt_id=attempt_id)
             .order_by("id")]
    assert trail == [AttemptAction.STARTED, AttemptAction.SUBMITTED, AttemptAction.GRADED]


async def test_a_stalled_handover_is_graded_after_a_deadline_round(
        client, quiz_course: QuizCourse, moved_clock: Clock,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="coursewire.quizzes")
    monkeypatch.setattr(deadlines, "SWEEP_EVERY", 1)  # the app's rounds sweep every second
    [attempt] = await stalled(quiz_course.student, quiz_course)
    moved_clock.forward(seconds=deadlines.HANDOVER_LEASE + 1)
    await graded_once(attempt.id)
    said = "handed 1 quiz attempts to grading whose handover had stalled"
    for _ in range(200):  # logged as the sweep's handover returns, around the grading
        if any(said in r.getMessage() for r in caplog.records):
            break
        await asyncio.sleep(0.025)
    else:
        raise AssertionError([r.getMessage() for r in caplog.records])


async def test_a_handover_younger_than_the_lease_is_left_alone(
        client, quiz_course: QuizCourse, moved_clock: Clock, own_sweeps_only: None):
    [attempt] = await stalled(quiz_course.student, quiz_course)
    moved_clock.forward(seconds=LEASE - 1)
    assert await deadlines.sweep_stalled_handovers(LEASE) == []
    left = await QuizAttempt.get(id=attempt.id)
    assert left.status == AttemptStatus.SUBMITTED and left.submission_id is None
    assert await submissions_of(attempt.id) == []
    moved_clock.forward(seconds=2)
    assert await deadlines.sweep_stalled_handovers(LEASE) == [attempt.id]
    await graded_once(attempt.id)


async def test_two_sweeps_that_find_the_same_stalled_handover_hand_it_over_once(
        client, quiz_course: QuizCourse, moved_clock: Clock, own_sweeps_only: None):
    [ada] = await stalled(quiz_course.student, quiz_course)
    [bob] = await stalled(quiz_course.other, quiz_course)
    moved_clock.forward(seconds=LEASE + 1)
    # Two processes sweeping at the same moment.
    swept = await asyncio.gather(*(deadlines.sweep_stalled_handovers(LEASE)
                                   for _ in range(2)))
    assert sorted(i for ids in swept for i in ids) == sorted([ada.id, bob.id])
    for attempt_id in (ada.id, bob.id):
        await graded_once(attempt_id)


async def test_a_sweep_that_found_a_handover_another_sweep_is_storing_stores_nothing(
        client, quiz_course: QuizCourse, moved_clock: Clock, own_sweeps_only: None,
        held: HeldHandover):
    [attempt] = await stalled(quiz_course.student, quiz_course)
    moved_clock.forward(seconds=LEASE + 1)
    found = [await deadlines.stalled_handovers(LEASE) for _ in range(2)]
    assert [[a.id for a in f] for f in found] == [[attempt.id], [attempt.id]]
    first = asyncio.create_task(deadlines.recover_handovers(found[0]))
    await held.claimed()  # the first sweep is storing its submission
    assert await within(deadlines.recover_handovers(found[1])) == []
    held.release.set()
    assert await within(first) == [attempt.id]
    await graded_once(attempt.id)


async def test_a_handover_that_lost_its_claim_to_the_sweep_stores_no_submission(
        client, quiz_course: QuizCourse, moved_clock: Clock, own_sweeps_only: None,
        held: HeldHandover):
    slow = await stalled(quiz_course.student, quiz_course)  # its handover, slow but alive
    moved_clock.forward(seconds=LEASE + 1)
    sweep = asyncio.create_task(deadlines.sweep_stalled_handovers(LEASE))
    await held.claimed()  # the sweep took the attempt over and is storing its submission
    assert await within(hand_to_grading(slow)) == []  # the slow handover goes on: too late
    held.release.set()
    assert await within(sweep) == [slow[0].id]
    assert await within(hand_to_grading(slow)) == []  # and after the sweep's is stored
    await graded_once(slow[0].id)


async def test_the_sweep_leaves_a_handover_that_claimed_within_the_lease(
        client, quiz_course: QuizCourse, moved_clock: Clock, own_sweeps_only: None,
        held: HeldHandover):
    slow = await stalled(quiz_course.student, quiz_course)
    moved_clock.forward(seconds=LEASE + 1)  # handed in long ago, its handover starts now
    handover = asyncio.create_task(hand_to_grading(slow))
    await held.claimed()
    moved_clock.forward(seconds=LEASE - 1)
    assert await within(deadlines.sweep_stalled_handovers(LEASE)) == []
    held.release.set()
    assert await within(handover) == [slow[0].id]
    await graded_once(slow[0].id)


async def test_the_sweep_leaves_attempts_reopened_given_up_or_refused_by_grading(
        client, quiz_course: QuizCourse, moved_clock: Clock, own_sweeps_only: None,
        monkeypatch: pytest.MonkeyPatch):
    [reopened] = await stalled(quiz_course.student, quiz_course)
    await reopen_attempt(quiz_course.ta, reopened.id, 30)
    # Stored, then given up by grading before any job linked it.
    [given_up] = await stalled(quiz_course.other, quiz_course)
    await Submission.create(user_id=given_up.user_id, course_id=quiz_course.id,
                            block_id="midterm", block_type="quiz", attempt=1,
                            answer={"attempt": given_up.id}, status=Status.ERROR,
                            max_points=given_up.max_points)

    async def refuse(*args: Any, **kwargs: Any) -> Submission:
        raise InvalidState("This course has ended.")

    refused = await stalled(await student(quiz_course, 3), quiz_course)
    real = attempts.submit_answer
    monkeypatch.setattr(attempts, "submit_answer", refuse)
    assert await hand_to_grading(refused) == []
    monkeypatch.setattr(attempts, "submit_answer", real)
    moved_clock.forward(seconds=LEASE + 1)
    assert await deadlines.sweep_stalled_handovers(LEASE) == []
    assert (await QuizAttempt.get(id=reopened.id)).status == AttemptStatus.IN_PROGRESS
    for attempt in (given_up, refused[0]):
        left = await QuizAttempt.get(id=attempt.id)
        assert left.status == AttemptStatus.SUBMITTED and left.submission_id is None
