"""Make the outbox's event write fail, to prove a change commits only with its event."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import realtime.publish
import realtime.rights
from models.events import Event


class OutboxDown(Exception):
    """The event row could not be written."""


@contextmanager
def outbox_down() -> Iterator[None]:
    """Every event write (domain events and rights control messages) fails meanwhile."""
    async def refuse(*_args: Any, **_kwargs: Any) -> int:
        raise OutboxDown("the event row could not be written")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(realtime.publish, "write_event", refuse)
        patch.setattr(realtime.rights, "write_event", refuse)
        yield


async def event_names_since(seq: int) -> list[str]:
    """The names of the events logged after `seq`, in order."""
    return list(await Event.filter(id__gt=seq).order_by("id").values_list("name", flat=True))


async def last_seq() -> int:
    newest = await Event.all().order_by("-id").first()
    return newest.id if newest else 0
