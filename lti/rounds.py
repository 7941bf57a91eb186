"""The LTI workers' loop: a round every interval until cancelled, a failed round (a
database restart) logged and tried again next time, never ending the worker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("coursewire.lti")


async def run_rounds(one_round: Callable[[], Awaitable[object]], interval: Callable[[], float],
                     what: str) -> None:
    """`one_round()`, then a sleep of `interval()` seconds (read each time: tests stretch
    it), forever."""
    while True:
        try:
            await one_round()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s round failed", what)
        await asyncio.sleep(interval())
