"""The mail queue: `queue_mail` commits a row; senders claim due rows with a lease and send.

Every process that runs the mail worker sends from the same table. A sender claims a row
with a conditional update (free: never claimed, or its lease ran out), so two processes
never send the same row at once; the lease outlasts a send (SMTP_TIMEOUT), and a sender
that died holding one only delays that mail until the lease runs out. A failed try is
retried after a growing delay (`backoff`), up to MAX_ATTEMPTS, then the row is marked failed
with its last error: nothing is dropped silently.

Once a mail is sent (or given up), its bodies are emptied: they may hold a single-use link,
which the database otherwise keeps only as a hash (accounts/links.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from tortoise.expressions import Q

from core.clock import now
from mail.compose import Composed
from mail.transport import Transport, message_of
from models.mail import OutgoingMail

log = logging.getLogger("coursewire.mail")

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 12  # the waits add up to about 20 hours
BATCH = 50
_EMPTIED = {"text_body": "", "html_body": ""}


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 30 s, 1 min, 2 min, ... up to 6 h."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


async def queue_mail(to_address: str, mail: Composed) -> OutgoingMail:
    """Queue `mail` for `to_address`; it is sent once this row is committed."""
    return await OutgoingMail.create(
        to_address=to_address, subject=mail.subject[:255], text_body=mail.text,
        html_body=mail.html, next_attempt_at=now())


async def send_due(transport: Transport, sender: str, *, lease: timedelta = LEASE) -> int:
    """Send every due, unclaimed mail once; returns how many were sent."""
    moment = now()
    free = Q(claimed_until=None) | Q(claimed_until__lt=moment)
    ids = await OutgoingMail.filter(
        free, sent_at=None, failed_at=None, next_attempt_at__lte=moment,
    ).order_by("id").limit(BATCH).values_list("id", flat=True)
    sent = 0
    for mail_id in ids:
        claimed = await OutgoingMail.filter(free, id=mail_id, sent_at=None, failed_at=None
                                            ).update(claimed_until=moment + lease)
        if not claimed:
            continue  # another process's sender has it
        row = await OutgoingMail.get(id=mail_id)
        try:
            await transport.send(message_of(row, sender))
        except Exception as exc:
            await _failed(row, exc)
            continue
        await OutgoingMail.filter(id=mail_id).update(
            sent_at=now(), claimed_until=None, attempts=row.attempts + 1, **_EMPTIED)
        sent += 1
    return sent


async def _failed(row: OutgoingMail, exc: Exception) -> None:
    attempts = row.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if attempts >= MAX_ATTEMPTS:
        log.error("mail %s to %s given up after %d tries: %s", row.id, row.to_address,
                  attempts, error)
        await OutgoingMail.filter(id=row.id).update(
            attempts=attempts, last_error=error, claimed_until=None, failed_at=now(), **_EMPTIED)
        return
    log.warning("mail %s: try %d failed (%s); next in %s", row.id, attempts, error,
                backoff(attempts))
    await OutgoingMail.filter(id=row.id).update(
        attempts=attempts, last_error=error, claimed_until=None,
        next_attempt_at=now() + backoff(attempts))


async def forget_recipient(address: str) -> int:
    """Drop every mail to `address`, sent or not (an erased person's): returns how many."""
    return await OutgoingMail.filter(to_address__iexact=address).delete()


async def mails_to(address: str) -> list[dict[str, object]]:
    """What the queue keeps of mails to `address` (bodies are emptied once sent)."""
    rows = await OutgoingMail.filter(to_address__iexact=address).order_by("id").values(
        "subject", "created_at", "sent_at", "failed_at")
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
            for r in rows]
