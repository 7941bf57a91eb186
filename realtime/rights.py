"""Rights that follow changes: sockets lose what their user may no longer read.

A socket's topics are authorized when it subscribes; afterwards a role change, a removal
from a course, a logout, a password change or the credential's expiry must take effect on
the open socket too, within a second, on whichever process holds it.

Services call, in the transaction that makes their change (both are outbox rows):
- `rights_changed(user_id)`: the user's memberships changed. Every hub re-checks each topic
  the user's sockets hold with the topic's authorizer against the database: a topic now
  denied is dropped (the client is told which), one read as a new audience is re-joined.
- `sessions_ended(user_id, session_key)`: a session or token ended (logout). The sockets it
  opened are closed with 4401; `session_key=None` ends them all (password change).

Both travel as a control message through the outbox and the channel layer to every process's hub
(`CONTROL_GROUP`), so the change may happen on one process and the socket sit on another.
Expiry needs no message: each socket closes itself at its credential's expiry (a timer).

realtime never reads credentials itself: the shell's Runtime binds a `CredentialReader`
(`CREDENTIALS`) telling, for a socket's handshake, which session opened it and when that
credential expires.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from core.context import RuntimeValue
from realtime.outbox import CONTROL_TOPIC, write_event

# Every hub joins this group: control messages are rare, so each process sees them all and
# acts on the sockets of the named user it holds.
CONTROL_GROUP = "cw.control"
CONTROL_TYPE = "hub.control"
RIGHTS = "rights"
SESSION_ENDED = "session_ended"


@dataclass(frozen=True)
class Credential:
    """What opened a socket: an opaque key naming its session or token, and its expiry."""

    session_key: str | None = None
    expires_at: float | None = None  # Unix time; None: no expiry the socket must enforce
    expired: str = "Your token has expired; request a new one."  # told at expiry


CredentialReader = Callable[[HTTPConnection], Credential]
CREDENTIALS: RuntimeValue[CredentialReader] = RuntimeValue("socket credential reader")


def credential_of(conn: HTTPConnection) -> Credential:
    reader = CREDENTIALS.peek()
    return reader(conn) if reader is not None else Credential()


def key_of(secret_part: str) -> str:
    """A session key from something only that session holds (never the value itself)."""
    return hashlib.sha256(secret_part.encode()).hexdigest()[:32]


async def rights_changed(user_id: int) -> None:
    """Re-check the topics of `user_id`'s open sockets, on every process. Call in the
    transaction that changes their memberships: it is sent once that commits."""
    await _send({"kind": RIGHTS, "user_id": user_id})


async def sessions_ended(user_id: int, session_key: str | None = None) -> None:
    """Close the sockets `session_key` opened for `user_id` (all of them when None)."""
    await _send({"kind": SESSION_ENDED, "user_id": user_id, "session_key": session_key})


async def _send(message: dict[str, object]) -> None:
    # Through the outbox like every event (realtime/relay.py sends it to CONTROL_GROUP):
    # written in the caller's transaction, delivered once committed, retried if Redis is down.
    await write_event(CONTROL_TOPIC, str(message["kind"]), message)
