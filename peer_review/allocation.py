"""Scheduled random allocation (Moodle workshop style), beside the on-demand queue.

At the scheduled time (by default the block's due date) every active response gets
`reviews_per_response` reviewers drawn at random from the other authors, never the author,
never twice, optionally never from the author's group, spreading work evenly (each pick
takes one of the least-loaded reviewers). Allocated reviews are due after the
allocated-days setting: then they expire like any lease, stop counting toward the
response's load (so an allocated but idle reviewer cannot starve it) and the response goes
back to the on-demand queue. A reviewer's `next` serves them before anything from the
queue; each is announced with `peer_review.assigned` on the reviewer's user topic.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.datetimes import datetime_field
from core.errors import BadInput, NotFound
from core.i18n import gettext as _
from courses.service import require_role
from models.courses import Membership, Role
from models.peer_review import (
    AssignmentStatus,
    Kind,
    PeerAssignment,
    PeerResponse,
    ResponseStatus,
    ReviewGroup,
    ScheduledAllocation,
)
from models.users import User
from peer_review import alarm, clocks, events
from peer_review.blocks import peer_block


@dataclass(frozen=True)
class Author:
    response_id: int
    user_id: int
    group: str | None


def allocate(authors: Sequence[Author], per_response: int, *, exclude_same_group: bool,
             rng: random.Random, existing: set[tuple[int, int]] | None = None
             ) -> list[tuple[int, int]]:
    """(response_id, reviewer_id) pairs: up to `per_response` reviewers per response."""
    existing = existing or set()
    grouped = exclude_same_group and any(a.group is not None for a in authors)
    if not existing and not grouped:
        # A shuffled circle, each author reviewed by the next `per`: exactly even work.
        ring = list(authors)
        rng.shuffle(ring)
        n = len(ring)
        return [(ring[i].response_id, ring[(i + k) % n].user_id)
                for k in range(1, min(per_response, n - 1) + 1) for i in range(n)]
    load = {a.user_id: 0 for a in authors}
    for _response, reviewer in existing:
        if reviewer in load:
            load[reviewer] += 1
    pairs: list[tuple[int, int]] = []
    order = list(authors)
    rng.shuffle(order)
    for author in order:
        have = sum(1 for r, _reviewer in existing if r == author.response_id)
        chosen: set[int] = set()
        for _round in range(max(0, per_response - have)):
            pool = [a.user_id for a in authors
                    if a.user_id != author.user_id and a.user_id not in chosen
                    and (author.response_id, a.user_id) not in existing
                    and not (exclude_same_group and author.group is not None
                             and a.group == author.group)]
            if not pool:
                break
            least = min(load[u] for u in pool)
            reviewer = rng.choice(sorted(u for u in pool if load[u] == least))
            chosen.add(reviewer)
            load[reviewer] += 1
            pairs.append((author.response_id, reviewer))
    return pairs


def _parse_when(value: object, default: datetime | None) -> datetime:
    if value in (None, "") and default is not None:
        return default
    if value in (None, ""):
        raise BadInput(_("Give the time as 2026-03-01T23:59:00Z (or set a due date on the block)."),
                       fields={"run_at": _("Invalid date.")})
    return datetime_field(value, "run_at")


async def schedule_allocation(actor: User, course_id: str, block_id: str, run_at: object,
                              reviews_per_response: object,
                              exclude_same_group: bool = True) -> ScheduledAllocation:
    """Schedule (or reschedule) the block's random allocation (TAs and instructors)."""
    await require_role(actor, course_id, Role.TA)
    block = await peer_block(course_id, block_id)
    when = _parse_when(run_at, block.due_at)
    try:
        n = int(str(reviews_per_response))
    except ValueError:
        n = 0
    if not 1 <= n <= 20:
        raise BadInput(_("Reviews per response must be 1-20."),
                       fields={"reviews_per_response": _("Out of range.")})
    row, _created = await ScheduledAllocation.update_or_create(
        course_id=course_id, block_id=block_id,
        defaults={"run_at": when, "reviews_per_response": n,
                  "exclude_same_group": exclude_same_group, "ran_at": None,
                  "created_by_id": actor.id})
    return row


async def set_group(actor: User, course_id: str, user_id: int, name: object) -> str | None:
    """Put a student in a review group (empty or null name: no group); the group set."""
    await require_role(actor, course_id, Role.TA)
    if name is not None and not isinstance(name, str):
        raise BadInput(_("Give the group as text (empty or null removes it)."),
                       fields={"group": _("Not text.")})
    if not await Membership.exists(course_id=course_id, user_id=user_id):
        raise NotFound(_("That user is not a member of this course."))
    label = (name or "").strip()[:100]
    if not label:
        await ReviewGroup.filter(course_id=course_id, user_id=user_id).delete()
        return None
    await ReviewGroup.update_or_create(course_id=course_id, user_id=user_id,
                                       defaults={"name": label})
    return label


async def run_allocation(schedule: ScheduledAllocation, *, seed: int | None = None,
                         at: datetime | None = None) -> int:
    """Run one scheduled allocation once (a conditional update claims it)."""
    at = at or datetime.now(UTC)
    due = at + clocks.timing().allocated
    claimed = await ScheduledAllocation.filter(id=schedule.id, ran_at__isnull=True).update(
        ran_at=at)
    if not claimed:
        return 0
    responses = await PeerResponse.filter(course_id=schedule.course_id,
                                          block_id=schedule.block_id,
                                          status=ResponseStatus.ACTIVE)
    groups = dict(await ReviewGroup.filter(course_id=schedule.course_id).values_list(
        "user_id", "name"))
    authors = [Author(r.id, r.author_id, groups.get(r.author_id)) for r in responses]
    existing = set(await PeerAssignment.filter(
        course_id=schedule.course_id, block_id=schedule.block_id, kind=Kind.PEER,
        status__in=[AssignmentStatus.OPEN, AssignmentStatus.DONE]).values_list(
        "response_id", "reviewer_id"))
    pairs = allocate(authors, schedule.reviews_per_response,
                     exclude_same_group=schedule.exclude_same_group,
                     rng=random.Random(seed), existing=existing)
    async with in_transaction() as conn:
        for response_id, reviewer_id in pairs:
            row = await PeerAssignment.filter(response_id=response_id, reviewer_id=reviewer_id
                                              ).using_db(conn).first()
            if row is not None:  # an expired lease: reopen it, allocated this time
                await PeerAssignment.filter(id=row.id).using_db(conn).update(
                    status=AssignmentStatus.OPEN, leased_at=at, expires_at=due, opened_at=at)
            else:
                await PeerAssignment.create(
                    response_id=response_id, reviewer_id=reviewer_id,
                    course_id=schedule.course_id, block_id=schedule.block_id, kind=Kind.PEER,
                    status=AssignmentStatus.OPEN, leased_at=at, expires_at=due, opened_at=at,
                    using_db=conn)
            await PeerResponse.filter(id=response_id).using_db(conn).update(
                load=F("load") + 1)
        await ScheduledAllocation.filter(id=schedule.id).using_db(conn).update(
            allocated=len(pairs))
        wanted = set(pairs)
        made = await PeerAssignment.filter(
            course_id=schedule.course_id, block_id=schedule.block_id,
            status=AssignmentStatus.OPEN, reviewer_id__in={r for _response, r in pairs}
        ).using_db(conn).order_by("id")
        for assignment in made:  # API clients hear of each; pages get the panel re-rendered
            if (assignment.response_id, assignment.reviewer_id) in wanted:
                await events.assigned(assignment)
        await events.board_changed(schedule.course_id, schedule.block_id)
    alarm.arm(due)
    alarm.arm(at + clocks.STUCK_AFTER)
    return len(pairs)


async def run_due_allocations(at: datetime | None = None) -> int:
    at = at or datetime.now(UTC)
    due = await ScheduledAllocation.filter(ran_at__isnull=True, run_at__lte=at)
    return sum([await run_allocation(s, at=at) for s in due])
