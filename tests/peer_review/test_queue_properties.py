"""Queue properties, checked against the pure model in peer_review.leases with hypothesis:
no self-review, no double review, one open lease per reviewer, the fair order, nobody
waits while there is work for them, every response reaches graded_by when reviewers keep
coming, and lease exclusivity under concurrency (PostgreSQL when DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.grading import Submission
from models.peer_review import (
    AssignmentStatus,
    Kind,
    PeerAssignment,
    PeerResponse,
    PeerReviewer,
    ResponseStatus,
)
from peer_review import assessments, assignment, expiry, leases
from tests.peer_review.conftest import BLOCK, COURSE_ID, GOOD, QUICK, respond, students

N = 5
GRADED_BY = MUST_GRADE = 2  # the test block's
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


async def reset() -> None:
    await PeerAssignment.all().delete()
    await PeerReviewer.all().delete()
    await PeerResponse.all().delete()
    await Submission.filter(block_id=BLOCK).delete()


async def candidates() -> list[leases.Candidate]:
    rows = await PeerResponse.filter(block_id=BLOCK, status=ResponseStatus.ACTIVE)
    return [leases.Candidate(r.id, r.author_id, r.load, r.submitted_at) for r in rows]


async def seen_by(user_id: int) -> set[int]:
    return set(await PeerAssignment.filter(
        reviewer_id=user_id, status__in=[AssignmentStatus.OPEN, AssignmentStatus.DONE]
    ).values_list("response_id", flat=True))


async def cap_for(user_id: int) -> int | None:
    given = await PeerAssignment.filter(reviewer_id=user_id, block_id=BLOCK, kind=Kind.PEER,
                                        status=AssignmentStatus.DONE).count()
    return None if given < MUST_GRADE else GRADED_BY


async def check_invariants() -> None:
    responses = {r.id: r for r in await PeerResponse.filter(block_id=BLOCK)}
    assignments = await PeerAssignment.filter(block_id=BLOCK, kind=Kind.PEER)
    pairs = [(a.response_id, a.reviewer_id) for a in assignments]
    assert len(pairs) == len(set(pairs)), "double review"
    open_by: dict[int, int] = {}
    for a in assignments:
        assert responses[a.response_id].author_id != a.reviewer_id, "self review"
        if a.status == AssignmentStatus.OPEN:
            open_by[a.reviewer_id] = open_by.get(a.reviewer_id, 0) + 1
    assert all(n == 1 for n in open_by.values()), f"several open leases: {open_by}"
    for r in responses.values():
        mine = [a for a in assignments if a.response_id == r.id]
        assert r.load == sum(a.status in (AssignmentStatus.OPEN, AssignmentStatus.DONE)
                             for a in mine)
        assert r.received == sum(a.status == AssignmentStatus.DONE for a in mine)
    # Nobody waits while something is eligible for them.
    cands = await candidates()
    for w in await PeerReviewer.filter(block_id=BLOCK, waiting_since__isnull=False):
        assert leases.choose(cands, w.reviewer_id, await seen_by(w.reviewer_id),
                             cap=await cap_for(w.reviewer_id)) is None


OPS = st.lists(st.tuples(st.sampled_from(["submit", "next", "next", "assess", "expire"]),
                         st.integers(0, N - 1)), min_size=1, max_size=30)


@SETTINGS
@given(ops=OPS)
async def test_queue_follows_the_fair_order_and_keeps_its_invariants(course, ops):
    await reset()
    people = await students(N, prefix=f"p{datetime.now(UTC).timestamp()}-")
    clock = datetime.now(UTC)
    for op, i in ops:
        user = people[i]
        has_response = await PeerResponse.exists(author_id=user.id, block_id=BLOCK)
        held = await leases.open_lease(COURSE_ID, BLOCK, user.id, PeerAssignment._meta.db)
        if op == "submit" and not has_response:
            await respond(user, f"essay by {i}")
        elif op == "next" and has_response:
            expected = None if held else leases.choose(
                await candidates(), user.id, await seen_by(user.id),
                cap=await cap_for(user.id))
            got = await assignment.request_review(user, COURSE_ID, BLOCK)
            if held is not None:
                assert got is not None and got.id == held.id
            elif expected is None:
                assert got is None
            else:
                assert got is not None and got.response_id == expected.id
        elif op == "assess" and held is not None:
            await assessments.submit_assessment(user, held.id, GOOD["scores"], "",
                                                GOOD["criterion_feedback"])
        elif op == "expire":
            clock += timedelta(hours=9)
            await expiry.expire_leases(clock)
        await check_invariants()


@SETTINGS
@given(n=st.integers(3, 7), data=st.data())
async def test_every_response_reaches_graded_by_when_reviewers_keep_coming(course, n, data):
    await reset()
    people = await students(n, prefix=f"l{datetime.now(UTC).timestamp()}-")
    order = data.draw(st.permutations(range(n)), label="submission order")
    arrivals = data.draw(st.lists(st.integers(0, n - 1), max_size=4 * n), label="arrivals")
    submit_at = sorted(data.draw(st.lists(st.integers(0, len(arrivals)), min_size=n,
                                          max_size=n), label="submission times"))
    submitted: set[int] = set()
    # Hypothesis's arrivals, then everyone keeps coming round-robin.
    stream = arrivals + [k % n for k in range(3 * n * GRADED_BY + n)]
    steps = 0
    for step, i in enumerate(stream):
        for slot, who in zip(submit_at, order, strict=True):
            if slot <= step and who not in submitted:
                submitted.add(who)
                await respond(people[who])
        if i in submitted:
            lease = await assignment.request_review(people[i], COURSE_ID, BLOCK)
            if lease is not None:
                await assessments.submit_assessment(people[i], lease.id, GOOD["scores"], "",
                                                    GOOD["criterion_feedback"])
        steps = step
        if len(submitted) == n and all(r.received >= GRADED_BY for r in
                                       await PeerResponse.filter(block_id=BLOCK)):
            break
    received = await PeerResponse.filter(block_id=BLOCK).values_list("received", flat=True)
    assert len(received) == n and min(received) >= GRADED_BY, (received, steps)
    await check_invariants()


async def test_concurrent_next_calls_lease_distinct_responses(course):
    """Many reviewers at once: each gets exactly one lease and, while responses at the
    lowest load remain, no response is leased twice (FOR UPDATE SKIP LOCKED on
    PostgreSQL, conditional update on SQLite)."""
    await reset()
    people = await students(24, prefix="c")
    for p in people:
        await respond(p)
    reviewers = people[:12]
    leases = await asyncio.gather(*[assignment.request_review(r, COURSE_ID, BLOCK)
                                    for r in reviewers])
    assert all(lease is not None for lease in leases)
    assert len({lease.response_id for lease in leases}) == len(reviewers)
    assert len({lease.reviewer_id for lease in leases}) == len(reviewers)
    loads = await PeerResponse.filter(block_id=BLOCK).values_list("load", flat=True)
    assert sorted(loads) == [0] * 12 + [1] * 12
    await check_invariants()


async def test_concurrent_next_calls_by_one_reviewer_share_one_lease(course):
    await reset()
    people = await students(6, prefix="o")
    for p in people:
        await respond(p)
    leases = await asyncio.gather(*[assignment.request_review(people[0], COURSE_ID, BLOCK)
                                    for _ in range(10)])
    assert len({lease.id for lease in leases}) == 1
    await check_invariants()


async def test_more_reviewers_than_responses_spread_evenly(course):
    await reset()
    people = await students(10, prefix="m")
    for p in people:  # everyone responds (so they may review); all ask at once
        await respond(p)
    leases = await asyncio.gather(*[assignment.request_review(p, COURSE_ID, BLOCK)
                                    for p in people])
    assert all(lease is not None for lease in leases)
    loads = await PeerResponse.filter(block_id=BLOCK).values_list("load", flat=True)
    # Not <= 1: the last reviewer served may find only their own response still at 0.
    assert sum(loads) == len(people) and max(loads) <= 2, loads
    await check_invariants()


async def test_one_new_response_goes_to_exactly_one_of_many_waiters(course):
    """Several assigners race (as several processes would) to serve eight waiters; the
    response needs one review (`quick`: graded_by 1), so exactly one waiter gets it."""
    await reset()
    people = await students(8, prefix="w")
    for p in people:
        await respond(p, block=QUICK)
    for p in people:  # everyone reviews while there is work, then waits
        while (lease := await assignment.request_review(p, COURSE_ID, QUICK)) is not None:
            await assessments.submit_assessment(p, lease.id, GOOD["scores"], "",
                                                GOOD["criterion_feedback"])
    assert await PeerReviewer.filter(block_id=QUICK, waiting_since__isnull=False).count() == 8
    late = (await students(1, prefix="late"))[0]
    submission = await Submission.create(
        user_id=late.id, course_id=COURSE_ID, block_id=QUICK, block_type="peer_review",
        attempt=1, answer={"text": "late"}, status="awaiting_peer_review", max_points=5.0)
    response = await PeerResponse.create(
        submission_id=submission.id, course_id=COURSE_ID, block_id=QUICK,
        author_id=late.id, text="late", submitted_at=datetime.now(UTC))
    results = await asyncio.gather(*[assignment.assign_waiting(COURSE_ID, QUICK)
                                     for _ in range(6)])
    handed = [a for batch in results for a in batch]
    assert len(handed) == 1 and handed[0].response_id == response.id
    assert await PeerReviewer.filter(block_id=QUICK, waiting_since__isnull=False).count() == 7
    assert (await PeerResponse.get(id=response.id)).load == 1


REVIEWERS = 8
WAVES = st.lists(st.tuples(st.lists(st.integers(0, REVIEWERS - 1), min_size=1, max_size=10),
                           st.lists(st.integers(0, REVIEWERS - 1), max_size=5)),
                 min_size=1, max_size=5)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(waves=WAVES)
async def test_random_concurrent_next_calls_never_share_a_lease(course, waves):
    """Waves of `next` calls run concurrently (with repeats: the same reviewer twice at
    once), with assessments between waves. On PostgreSQL (service mode) the calls really
    interleave in the database. Whatever the interleaving: no self or double review, one
    open lease per reviewer, repeated calls get the same lease, and while enough
    responses at the lowest load are eligible for every caller, no two callers of a wave
    share a response (sharing is only allowed as the fair order's fallback)."""
    await reset()
    people = await students(REVIEWERS, prefix=f"h{datetime.now(UTC).timestamp()}-")
    for p in people:
        await respond(p)
    for callers, assessors in waves:
        conn = PeerAssignment._meta.db
        held = {i: await leases.open_lease(COURSE_ID, BLOCK, people[i].id, conn)
                for i in set(callers)}
        fresh = {i for i, lease in held.items() if lease is None}
        owing = {i for i in fresh if await cap_for(people[i].id) is None}
        cands = await candidates()
        blocked = {people[i].id for i in fresh}
        seen: set[int] = set()
        for i in fresh:
            seen |= await seen_by(people[i].id)
        open_to_all = [c for c in cands if c.author_id not in blocked and c.id not in seen
                       and (c.load < GRADED_BY or owing == fresh)]
        floor = min((c.load for c in open_to_all), default=None)
        pool = sum(1 for c in open_to_all if c.load == floor)
        got = await asyncio.gather(*[assignment.request_review(people[i], COURSE_ID, BLOCK)
                                     for i in callers])
        by_reviewer: dict[int, set[int]] = {}
        for i, lease in zip(callers, got, strict=True):
            if held[i] is not None:
                assert lease is not None and lease.id == held[i].id
            if lease is not None:
                assert lease.reviewer_id == people[i].id
                by_reviewer.setdefault(i, set()).add(lease.id)
        assert all(len(ids) == 1 for ids in by_reviewer.values()), "two leases at once"
        new = [next(iter(by_reviewer[i])) for i in fresh if i in by_reviewer]
        responses = [(await PeerAssignment.get(id=a)).response_id for a in new]
        if len(fresh) <= pool:
            assert len(new) == len(fresh), "a caller waited while work was free"
            assert len(set(responses)) == len(responses), "one response leased twice"
        await check_invariants()
        for i in assessors:
            lease = await leases.open_lease(COURSE_ID, BLOCK, people[i].id, conn)
            if lease is not None:
                await assessments.submit_assessment(people[i], lease.id, GOOD["scores"], "",
                                                    GOOD["criterion_feedback"])
        await check_invariants()
