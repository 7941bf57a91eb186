"""Scheduled random allocation at the deadline: N reviews per response, never the author,
never twice, never within a group; and the sweeper runs it once when due."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from models.peer_review import AssignmentStatus, PeerAssignment, PeerResponse, ReviewGroup
from peer_review import allocation, assessments, assignment
from peer_review.allocation import Author, allocate
from peer_review.sweeper import sweep_once
from tests.peer_review.conftest import BLOCK, COURSE_ID, GOOD, respond, students


@given(n=st.integers(2, 30), per=st.integers(1, 5), groups=st.integers(1, 6),
       seed=st.integers(0, 10_000), exclude=st.booleans())
def test_allocation_rules(n, per, groups, seed, exclude):
    authors = [Author(100 + i, i, f"g{i % groups}") for i in range(n)]
    pairs = allocate(authors, per, exclude_same_group=exclude, rng=random.Random(seed))
    assert len(pairs) == len(set(pairs))
    by_response = {a.response_id: a for a in authors}
    group_of = {a.user_id: a.group for a in authors}
    for response_id, reviewer in pairs:
        author = by_response[response_id]
        assert reviewer != author.user_id
        if exclude:
            assert group_of[reviewer] != author.group
    got = Counter(r for r, _ in pairs)
    for a in authors:
        possible = sum(1 for b in authors if b.user_id != a.user_id
                       and not (exclude and b.group == a.group))
        assert got[a.response_id] == min(per, possible)
    load = Counter(reviewer for _, reviewer in pairs)
    if not exclude:  # everyone reviews the same number
        assert set(load.values()) == {min(per, n - 1)}


async def test_scheduled_allocation_runs_once_at_the_deadline(course):
    people = await students(6, prefix="al")
    for i, p in enumerate(people):
        await ReviewGroup.create(course_id=COURSE_ID, user_id=p.id, name=f"team{i % 2}")
        await respond(p)
    due = datetime.now(UTC) + timedelta(hours=1)
    await allocation.schedule_allocation(course.ta, COURSE_ID, BLOCK, due.isoformat(), 2, True)
    await sweep_once(datetime.now(UTC))
    assert await PeerAssignment.all().count() == 0  # not due yet
    await sweep_once(due + timedelta(seconds=1))
    await sweep_once(due + timedelta(seconds=2))  # and only once
    rows = await PeerAssignment.filter(block_id=BLOCK)
    assert len(rows) == 12
    team = {p.id: i % 2 for i, p in enumerate(people)}
    authors = {r.id: r.author_id for r in await PeerResponse.filter()}
    for row in rows:
        assert team[row.reviewer_id] != team[authors[row.response_id]]
        # Due a week (the allocated-days setting) after the allocation ran.
        assert row.status == AssignmentStatus.OPEN
        assert abs(row.expires_at - (due + timedelta(days=7))) < timedelta(seconds=5)
    # A reviewer's `next` serves their allocated work, and it can be assessed.
    lease = await assignment.request_review(people[0], COURSE_ID, BLOCK)
    assert lease.id in {r.id for r in rows if r.reviewer_id == people[0].id}
    await assessments.submit_assessment(people[0], lease.id, GOOD["scores"], "",
                                        GOOD["criterion_feedback"])


async def test_allocated_reviews_expire_and_stop_counting_toward_the_queue(course):
    people = await students(4, prefix="ax")
    responses = [await respond(p) for p in people]
    ran = datetime.now(UTC)
    await allocation.schedule_allocation(course.ta, COURSE_ID, BLOCK, ran.isoformat(), 1,
                                         False)
    await sweep_once(ran + timedelta(seconds=1))
    for r in responses:
        await r.refresh_from_db()
        assert r.load == 1  # each allocated once
    # Nobody does their allocated review; after the allocated days they expire, and the
    # responses are back at load 0 for the on-demand queue.
    await sweep_once(ran + timedelta(days=7, hours=1))
    assert not await PeerAssignment.filter(status=AssignmentStatus.OPEN).exists()
    assert await PeerAssignment.filter(status=AssignmentStatus.EXPIRED).count() == 4
    for r in responses:
        await r.refresh_from_db()
        assert r.load == 0


async def test_allocation_announces_each_assignment_to_api_clients(course, monkeypatch):
    from peer_review import events

    published: list[tuple[str, str, dict]] = []

    async def record(topic, event, data, html=None):
        published.append((topic, event, data))

    monkeypatch.setattr(events, "publish", record)
    people = await students(3, prefix="ay")
    for p in people:
        await respond(p)
    published.clear()
    ran = datetime.now(UTC)
    await allocation.schedule_allocation(course.ta, COURSE_ID, BLOCK, ran.isoformat(), 2,
                                         False)
    await sweep_once(ran + timedelta(seconds=1))
    rows = await PeerAssignment.filter(block_id=BLOCK, status=AssignmentStatus.OPEN)
    assert len(rows) == 6
    assigned = [(t, d["self"]["id"]) for t, e, d in published if e == "peer_review.assigned"]
    assert sorted(assigned) == sorted((f"user:{r.reviewer_id}", r.id) for r in rows)
