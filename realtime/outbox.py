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
transaction client's `commit`: the events the transaction published are inserted there, all
in one statement, then it commits and rings the doorbell. An exam's autosave publishes
three events: one insert instead of three (bench/save_cost.py). A nested `in_transaction()`
block (a savepoint) keeps the events it published if it is released and drops them if it
is rolled back (models.db_engine tells the outbox). A change that reads or rewrites the
event log in its own transaction calls `write_pending_events()` first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.timezone import now

from models.db_engine import SAVEPOINT_LISTENERS
from models.events import Event
from models.statements import db_values, insert_returning_ids

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
    return _message(row.topic, row.name, row.id, row.data_by_audience,
                    row.html_by_audience or {})


def late(row: Event) -> Message:
    """The message for an event row sent out of commit order (by the sweep, after events
    committed later may have been sent), marked with when it was written. A page must not
    get its older state over newer: hubs resync a page instead, unless the page's render
    began after it was written (realtime/hub.py)."""
    return {**message_of(row), "late": row.created_at.timestamp()}


def _message(topic: str, name: str, seq: int, data: dict[str, Any],
             html: dict[str, str]) -> Message:
    return {"type": "hub.event", "topic": topic, "event": name, "seq": seq, "data": data,
            "html": html}


_COLUMNS = ("topic", "name", "data_by_audience", "html_by_audience", "created_at")


class _Unwritten:
    """The events a transaction published, kept on its client until it commits."""

    def __init__(self) -> None:
        # Not yet inserted: each row's values (converted when published, so a value the
        # database cannot take fails the publish, not the commit) and its message.
        self.rows: list[tuple[list[Any], Message]] = []
        self.messages: list[Message] = []  # inserted: handed to the relays after the commit
        self.marks: list[tuple[int, int]] = []  # open savepoints: (rows, messages) at begin

    def add(self, topic: str, name: str, data: dict[str, Any], html: dict[str, str]) -> None:
        # created_at comes last, stamped at the insert (`write`).
        values = db_values(Event, dict(zip(_COLUMNS[:-1], (topic, name, data, html),
                                           strict=True)))
        self.rows.append((values, _message(topic, name, 0, data, html)))  # seq: once written

    async def write(self) -> None:
        """Insert the rows not yet written, all in one statement, stamped with this moment,
        just before the commit (`late` compares it with when pages rendered)."""
        rows, self.rows = self.rows, []
        written = db_values(Event, {"created_at": now()})
        ids = await insert_returning_ids(Event, _COLUMNS,
                                         [values + written for values, _ in rows])
        for seq, (_values, message) in zip(ids, rows, strict=True):
            message["seq"] = seq
            self.messages.append(message)


def _unwritten(client: TransactionalDBClient) -> _Unwritten:
    """The transaction's unwritten events. The first call hooks its client's `commit` to
    insert them, commit, then ring the doorbell."""
    unwritten: _Unwritten | None = getattr(client, _HOOKED, None)
    if unwritten is not None:
        return unwritten
    unwritten = _Unwritten()
    setattr(client, _HOOKED, unwritten)
    commit = client.commit

    async def write_commit_ring() -> None:
        try:
            await unwritten.write()
        except BaseException:
            # The change must not commit without its events (SQLite's connection would
            # also stay inside the transaction): undo it, then report the first error.
            with contextlib.suppress(Exception):
                await asyncio.shield(client.rollback())
            raise
        await commit()
        if unwritten.messages:
            COMMITTED.ring(unwritten.messages)

    client.commit = write_commit_ring  # type: ignore[method-assign]
    return unwritten


def _savepoint(client: TransactionalDBClient, what: str) -> None:
    """A nested block's events go with it: kept if it is released, dropped if it is
    rolled back (models.db_engine tells)."""
    unwritten = _unwritten(client)
    if what == "begin":
        unwritten.marks.append((len(unwritten.rows), len(unwritten.messages)))
        return
    if not unwritten.marks:  # begun before this listener was registered
        return
    rows, messages = unwritten.marks.pop()
    if what == "rollback":
        del unwritten.rows[rows:]
        del unwritten.messages[messages:]


SAVEPOINT_LISTENERS.append(_savepoint)


async def write_event(topic: str, name: str, data_by_audience: dict[str, Any],
                      html_by_audience: dict[str, str] | None = None) -> int | None:
    """Log an event in the caller's transaction (if any); relays send it once committed.
    Returns its seq; inside a transaction None: the events a transaction publishes are
    inserted together, in one statement, when it commits."""
    client = Event._meta.db
    if isinstance(client, TransactionalDBClient):
        _unwritten(client).add(topic, name, data_by_audience, html_by_audience or {})
        return None
    created = await Event.create(  # autocommit: the row is already committed
        topic=topic, name=name, data_by_audience=data_by_audience,
        html_by_audience=html_by_audience or {})
    COMMITTED.ring([message_of(created)])
    return created.id


async def write_pending_events() -> None:
    """Insert the current transaction's unwritten events now (they are still sent only
    after the commit): for a change that reads or rewrites the event log itself in its own
    transaction."""
    client = Event._meta.db
    unwritten: _Unwritten | None = getattr(client, _HOOKED, None)
    if isinstance(client, TransactionalDBClient) and unwritten is not None and unwritten.rows:
        await unwritten.write()
