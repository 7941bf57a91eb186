"""The mail worker: each app process sends due mail every `poll_seconds` (mail/queue.py
makes several processes safe together)."""

from __future__ import annotations

import asyncio
import logging

from mail.queue import send_due
from mail.transport import Transport

log = logging.getLogger("coursewire.mail")

POLL_SECONDS = 1.0


async def run_mail_sender(transport: Transport, sender: str,
                          poll_seconds: float = POLL_SECONDS) -> None:
    """Send due mail, forever; a round that fails (database hiccup) is logged and retried."""
    while True:
        try:
            await send_due(transport, sender)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("mail: sending round failed; next try in %s s", poll_seconds)
        await asyncio.sleep(poll_seconds)
