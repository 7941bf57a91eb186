"""The queue's clocks: leases are not extended by asking again; work pushed to a waiting
reviewer is held briefly until they open it; waits end; expiries and stuck leases are
acted on the moment they fall due (the process alarm), not at the next sweep; the sweep
survives a block that disappeared."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from models.grading import Status, Submission
from models.peer_review import AssignmentStatus, PeerAssignment, PeerResponse, PeerReviewer
from peer_review import alarm, assessments, assignment, clocks, events, expiry, queries
from peer_review.blocks import peer_block
from peer_review.sweeper import sweep_once
from peer_review.timing import TIMING, timing_from
from tests.peer_review.conftest import COURSE_ID, GOOD, QUICK, respond, students


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Published(list):
    """Every event peer review publishes: (monotonic time, topic, event, data), and a way
    to wait for one (woken by each publish: no sleeping, no polling)."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Condition()

    async def record(self, topic, event, data, html=None) -> None:
        self.append((asyncio.get_running_loop().time(), topic, event, data))
        async with self.changed:
            self.changed.notify_all()

    async def until(self, predicate, timeout: float) -> None:
        """Return once `predicate()` holds; fail the test after `timeout` seconds."""
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(predicate), timeout)


@pytest.fixture
def published(monkeypatch) -> Published:
    seen = Published()
    monkeypatch.setattr(events, "publish", seen.record)
    return seen


async def _both_done_and_waiting(a, b):
    """a and b reviewed each other (QUICK: must_grade 1, graded_by 1); both now wait."""
    for who in (a, b):
        lease = await assignment.request_review(who, COURSE_ID, QUICK)
        await assessments.submit_assessment(who, lease.id, GOOD["scores"], "",
                                            GOOD["criterion_feedback"])
    assert await assignment.request_review(a, COURSE_ID, QUICK) is None
    assert await assignment.request_review(b, COURSE_ID, QUICK) is None


async def test_asking_again_does_not_extend_the_lease(course):
    a, b = await students(2, prefix="ext")
    await respond(a)
    await respond(b)
    block = await peer_block(COURSE_ID, "review")
    first = await assignment.lease_next(block, a.id)
    later = datetime.now(UTC) + timedelta(hours=3)
    again = await assignment.lease_next(block, a.id, at=later)
    assert again.id == first.id
    assert _utc(again.expires_at) == _utc(first.expires_at)
    assert _utc((await PeerAssignment.get(id=first.id)).expires_at) == _utc(first.expires_at)


async def test_pushed_work_has_a_short_first_lease_until_opened(course):
    a, b = await students(2, prefix="po")
    await respond(a, block=QUICK)
    assert await assignment.request_review(a, COURSE_ID, QUICK) is None  # a waits
    pushed_at = datetime.now(UTC)
    await respond(b, block=QUICK)
    lease = await PeerAssignment.get(reviewer_id=a.id)
    assert lease.opened_at is None
    assert _utc(lease.expires_at) - pushed_at < timedelta(minutes=16)
    # Opening it (the next call, the page, or the open endpoint) starts the full lease.
    opened = await assignment.request_review(a, COURSE_ID, QUICK)
    assert opened.id == lease.id and opened.opened_at is not None
    assert _utc(opened.expires_at) - pushed_at > timedelta(hours=7)


async def test_open_endpoint_service_extends_once(course):
    a, b = await students(2, prefix="oe")
    await respond(a, block=QUICK)
    await assignment.request_review(a, COURSE_ID, QUICK)
    await respond(b, block=QUICK)
    lease = await PeerAssignment.get(reviewer_id=a.id)
    opened = await assignment.open_assignment(a, lease.id)
    assert opened.opened_at is not None
    expires = _utc((await PeerAssignment.get(id=lease.id)).expires_at)
    assert expires - datetime.now(UTC) > timedelta(hours=7)
    await assignment.open_assignment(a, lease.id)  # idempotent: not extended again
    assert _utc((await PeerAssignment.get(id=lease.id)).expires_at) == expires


async def test_unopened_pushed_work_goes_to_the_next_waiter_after_the_first_lease(course):
    a, b, c = await students(3, prefix="uw")
    await respond(a, block=QUICK)
    await respond(b, block=QUICK)
    await _both_done_and_waiting(a, b)
    rc = await respond(c, block=QUICK)
    first = await PeerAssignment.get(response_id=rc.id)
    assert first.reviewer_id == a.id  # a waited longest
    # a walked away: 16 minutes later it is b's, not held for 8 hours.
    await expiry.expire_leases(datetime.now(UTC) + timedelta(minutes=16))
    assert (await PeerAssignment.get(id=first.id)).status == AssignmentStatus.EXPIRED
    second = await PeerAssignment.get(response_id=rc.id, reviewer_id=b.id)
    assert second.status == AssignmentStatus.OPEN
    assert not await PeerReviewer.exists(reviewer_id=a.id, waiting_since__isnull=False)


async def test_a_wait_ends_after_the_wait_limit(course, published):
    a, b, c = await students(3, prefix="wl")
    await respond(a, block=QUICK)
    await respond(b, block=QUICK)
    await _both_done_and_waiting(a, b)
    # a clicked Review three hours ago and left; b is still within the limit.
    await PeerReviewer.filter(reviewer_id=a.id).update(
        waiting_since=datetime.now(UTC) - timedelta(hours=3))
    board = await queries.board_view(COURSE_ID, QUICK)
    assert [name for name, _ in board.waiting] == [b.name]
    assert not (await queries.student_view(a.id, COURSE_ID, QUICK)).waiting
    rc = await respond(c, block=QUICK)
    assert (await PeerAssignment.get(response_id=rc.id)).reviewer_id == b.id
    # The sweep (or the alarm) ends a's wait, and a's page and the board are told.
    published.clear()
    assert await expiry.end_stale_waits() == 1
    assert not await PeerReviewer.exists(reviewer_id=a.id, waiting_since__isnull=False)
    assert any(t == f"user:{a.id}" and e == "peer_review.work" for _, t, e, _ in published)
    assert any(e == "peer_review.board" for _, _, e, _ in published)


async def test_an_expired_lease_is_pushed_to_a_waiter_at_once_without_a_sweep(
        course, db, published):
    TIMING.bind(timing_from(replace(db, peer_review_lease_hours=1.0 / 3600)))  # 1 s leases
    try:
        z, y, a = await students(3, prefix="al")
        rz = await respond(z, block=QUICK)
        await respond(y, block=QUICK)
        await respond(a, block=QUICK)
        held = await assignment.request_review(y, COURSE_ID, QUICK)
        assert held.response_id == rz.id
        mine = await assignment.request_review(a, COURSE_ID, QUICK)
        await assessments.submit_assessment(a, mine.id, GOOD["scores"], "",
                                            GOOD["criterion_feedback"])
        assert await assignment.request_review(a, COURSE_ID, QUICK) is None  # a waits
        expires = _utc((await PeerAssignment.get(id=held.id)).expires_at)
        assert alarm.current().when is not None and alarm.current().when <= expires
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (expires - datetime.now(UTC)).total_seconds()
        def pushed_to_a() -> list[tuple[float, dict]]:
            return [(at, d["self"]) for at, t, e, d in published
                    if t == f"user:{a.id}" and e == "peer_review.assigned"]

        await published.until(pushed_to_a, timeout=6)  # no sweep here: only the alarm
        assert (await PeerAssignment.get(id=held.id)).status == AssignmentStatus.EXPIRED
        handed = await PeerAssignment.get(reviewer_id=a.id, response_id=rz.id)
        assert handed.status == AssignmentStatus.OPEN
        pushes = pushed_to_a()
        assert [p["id"] for _, p in pushes] == [handed.id]
        assert pushes[0][0] - deadline < 1.0  # within a second of the expiry
    finally:
        TIMING.bind(timing_from(db))
        await alarm.current().stop()


async def test_the_board_is_pushed_when_a_lease_becomes_stuck(course, published,
                                                              monkeypatch):
    monkeypatch.setattr(clocks, "STUCK_AFTER", timedelta(seconds=1))
    try:
        a, b = await students(2, prefix="st")
        await respond(a, block=QUICK)
        await respond(b, block=QUICK)
        await assignment.request_review(a, COURSE_ID, QUICK)
        published.clear()
        await published.until(lambda: any(e == "peer_review.board" and d["staff"]["stuck"] == 1
                                          for _, _, e, d in published), timeout=4)
        boards = [d["staff"] for _, t, e, d in published if e == "peer_review.board"]
        assert boards and boards[-1]["stuck"] == 1
        # Having rung, the alarm re-armed itself from the database: the lease's expiry.
        lease = await PeerAssignment.get(reviewer_id=a.id)
        await alarm.current().idle()
        assert alarm.current().when == _utc(lease.expires_at)
        assert all(t == f"course:{COURSE_ID}:staff" for _, t, e, _ in published
                   if e == "peer_review.board")
    finally:
        await alarm.current().stop()


async def test_the_sweep_survives_a_block_that_disappeared(course):
    a, b, ghost = await students(3, prefix="gb")
    await respond(a, block=QUICK)
    await respond(b, block=QUICK)
    await _both_done_and_waiting(a, b)
    # A response of a block no longer published, with an expired lease and a waiter.
    sub = await Submission.create(user_id=ghost.id, course_id=COURSE_ID, block_id="gone",
                                  block_type="peer_review", attempt=1, answer={"text": "x"},
                                  status=Status.AWAITING_PEER_REVIEW, max_points=5.0)
    gone = await PeerResponse.create(submission_id=sub.id, course_id=COURSE_ID,
                                     block_id="gone", author_id=ghost.id, text="x",
                                     submitted_at=datetime.now(UTC), load=1)
    past = datetime.now(UTC) - timedelta(hours=9)
    stale = await PeerAssignment.create(response_id=gone.id, reviewer_id=a.id,
                                        course_id=COURSE_ID, block_id="gone",
                                        leased_at=past, expires_at=past + timedelta(hours=8))
    await PeerReviewer.create(course_id=COURSE_ID, block_id="gone", reviewer_id=b.id,
                              waiting_since=datetime.now(UTC))
    # A new QUICK response that slipped in without its hand-out (as after a crash).
    sub_c = await Submission.create(user_id=ghost.id, course_id=COURSE_ID, block_id=QUICK,
                                    block_type="peer_review", attempt=1,
                                    answer={"text": "c"}, max_points=5.0,
                                    status=Status.AWAITING_PEER_REVIEW)
    rc = await PeerResponse.create(submission_id=sub_c.id, course_id=COURSE_ID,
                                   block_id=QUICK, author_id=ghost.id, text="c",
                                   submitted_at=datetime.now(UTC))
    await sweep_once()
    assert (await PeerAssignment.get(id=stale.id)).status == AssignmentStatus.EXPIRED
    handed = await PeerAssignment.get(response_id=rc.id)
    assert handed.reviewer_id in {a.id, b.id} and handed.status == AssignmentStatus.OPEN
