"""The daily digest: one mail per person with the unread notifications of their digest
kinds since the last digest, sent once a day however many processes run the scheduler.

Each process's scheduler tries, every few minutes after the digest hour (UTC;
`COURSEWIRE_DIGEST_HOUR`, 6 by default), to claim the
day's run: a row keyed by the date (models.notifications.DigestRun), made by an insert
(only one process's succeeds) and re-claimed only by a conditional update once its lease
ran out and it is not finished (its process died mid-run). Each person's digest is one
transaction: the mail is queued and their notifications lose `digest_pending` with a
conditional update, so a re-run after a crash mails nobody twice and forgets nobody.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.clock import now
from mail.compose import compose_for
from mail.queue import queue_mail
from models.notifications import DigestRun, Notification
from models.users import User
from notifications.delivery import absolute
from notifications.workers import wait_for_any

log = logging.getLogger("coursewire.notifications")

DIGEST_HOUR = 6  # UTC: the run of a day starts at this hour or later (the setting's default)
LEASE = timedelta(minutes=10)
CHECK_SECONDS = 300.0
FIRST_CHECK_SECONDS = 30.0  # not in the middle of a process's start
MOST_LISTED = 50  # a digest lists at most this many; it says how many more there are


async def claim_run(day: str, *, lease: timedelta = LEASE) -> bool:
    """Claim the digest run of `day` for this process (False: done, or another has it)."""
    moment = now()
    try:
        await DigestRun.create(day=day, claimed_until=moment + lease)
        return True
    except IntegrityError:
        pass
    free = Q(claimed_until=None) | Q(claimed_until__lt=moment)
    return bool(await DigestRun.filter(free, day=day, finished_at=None).update(
        claimed_until=moment + lease))


async def send_digest_to(user_id: int, public_url: str) -> bool:
    """Mail one person their pending digest, if they have one; True if a mail was queued."""
    async with in_transaction():
        # Read ones need no mail: they just stop waiting.
        await Notification.filter(user_id=user_id, digest_pending=True).exclude(
            read_at=None).update(digest_pending=False)
        pending = await Notification.filter(user_id=user_id, digest_pending=True,
                                            read_at=None).order_by("-id")
        if not pending:
            return False
        cleared = await Notification.filter(id__in=[n.id for n in pending],
                                            digest_pending=True).update(digest_pending=False)
        if cleared != len(pending):
            raise RuntimeError("another digest took some of these; retrying later")
        user = await User.get(id=user_id)
        await queue_mail(user.email, compose_for(
            user, "notification_digest", items=pending[:MOST_LISTED],
            more=max(0, len(pending) - MOST_LISTED), count=len(pending),
            links={n.id: absolute(public_url, n.link) for n in pending[:MOST_LISTED]},
            inbox_url=absolute(public_url, "/inbox")))
    return True


async def run_digest(day: str, public_url: str, *, lease: timedelta = LEASE) -> int | None:
    """The digest of `day`, if this process wins it; returns the mails sent (None: not ours)."""
    if not await claim_run(day, lease=lease):
        return None
    user_ids = await Notification.filter(digest_pending=True).distinct().values_list(
        "user_id", flat=True)
    sent = 0
    for user_id in sorted(set(user_ids)):
        try:
            sent += await send_digest_to(user_id, public_url)
        except Exception:
            log.exception("notifications: digest for user %s failed; the next run has it",
                          user_id)
    await DigestRun.filter(day=day).update(finished_at=now(), claimed_until=None, mails=sent)
    log.info("notifications: digest of %s sent %d mails", day, sent)
    return sent


def due_day(moment: datetime, hour: int = DIGEST_HOUR) -> str | None:
    """The day whose digest is due at `moment` (None before the hour)."""
    return moment.date().isoformat() if moment.hour >= hour else None


async def run_digest_scheduler(public_url: str, stopping: asyncio.Event,
                               check_seconds: float = CHECK_SECONDS,
                               first_check_seconds: float = FIRST_CHECK_SECONDS,
                               hour: int = DIGEST_HOUR) -> None:
    """Check now and then (until `stopping`) whether today's digest is due and not yet
    sent; send it if so."""
    await wait_for_any(stopping, seconds=first_check_seconds)
    while not stopping.is_set():
        try:
            day = due_day(now(), hour)
            if day and not await DigestRun.exists(day=day, finished_at__not_isnull=True):
                await run_digest(day, public_url)
        except Exception:
            log.exception("notifications: digest check failed; next in %s s", check_seconds)
        await wait_for_any(stopping, seconds=check_seconds)
