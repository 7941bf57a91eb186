"""The transactional outbox: an event is committed with the change it announces.

`publish()` writes the event row on the caller's connection. Inside `in_transaction()` the
row commits or rolls back with the change, so no change is ever without its event and a
rolled-back change is never announced. Once the row is committed its message is handed to
the process's relays (`COMMITTED`), which send it to the channel layer at once: the hot
path has no polling delay. What no relay sent (the process died between commit and send,
the channel layer was down) stays unsent in the table, and relays sweep it up
(realtime/relay.py).

`COMMITTED` is process state outside the Runtime on purpose: domain services call
`publish()` with no handle on the process, and the doorbell is only a signal. With no relay
listening (a script, a test without a server) nothing is lost: the rows wait.

Tortoise has no on-commit hook, so the first event written in a transaction wraps that
transaction client's `commit` (the outermost one: nested `in_transaction()` blocks are
savepoints on the same client) to ring the doorbell after it. A savepoint rolled back after
publishing would still ring: relays then send an event whose row is gone; no service nests
a publish in a savepoint it rolls back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tortoise.backends.base.client import TransactionalDBClient

from models.events import Event

log = logging.getLogger("coursewire.outbox")

Message = dict[str, Any]  # what the channel layer carries for one event
Listener = Callable[[list[Message]], None]

# Control messages (rights.py) travel through the outbox too, on a topic no socket can join.
CONTROL_TOPIC = "control"
_HOOKED = "_coursewire_committed"


class Doorbell:
    """Hands committed events to every relay running in this process."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def ring(self, messages: list[Message]) -> None:
        for listener in list(self._listeners):
            try:
                listener(messages)
            except Exception:  # a relay's trouble must never fail the write that rang
                log.exception("outbox: a relay refused committed events; the sweep sends them")


COMMITTED = Doorbell()


def message_of(row: Event) -> Message:
    """The channel-layer message for an event row."""
    return {"type": "hub.event", "topic": row.topic, "event": row.name, "seq": row.id,
            "data": row.data_by_audience, "html": row.html_by_audience or {}}


def _after_commit(client: TransactionalDBClient, message: Message) -> None:
    pending: list[Message] | None = getattr(client, _HOOKED, None)
    if pending is None:
        pending = []
        commit = client.commit

        async def commit_then_ring() -> None:
            await commit()
            COMMITTED.ring(pending)

        setattr(client, _HOOKED, pending)
        client.commit = commit_then_ring  # type: ignore[method-assign]
    pending.append(message)


async def write_event(topic: str, name: str, data_by_audience: dict[str, Any],
                      html_by_audience: dict[str, str] | None = None) -> int:
    """Log an event in the caller's transaction (if any); relays send it once committed."""
    row = await Event.create(topic=topic, name=name, data_by_audience=data_by_audience,
                             html_by_audience=html_by_audience or {})
    client = Event._meta.db
    if isinstance(client, TransactionalDBClient):
        _after_commit(client, message_of(row))
    else:  # autocommit: the row is already committed
        COMMITTED.ring([message_of(row)])
    return row.id
