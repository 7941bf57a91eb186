"""Personal data (GDPR): what each package contributes to a person's export and erasure.

accounts owns the account and the two actions (`accounts.data_export`, `accounts.erasure`)
but not the tables of the packages above it, which it may not import. So each package's
`install(host)` registers a `PersonalDataPart` with `host.personal_data`: how to list what
it stores about a user (a JSON-able value, its section of the export) and how to erase
that user's identity from its own tables. The Runtime holds the registry (`PERSONAL_DATA`).

Erasure replaces a person with a *tombstone*: a fresh account named "Deleted user" that can
never sign in. Rows that course statistics count (memberships, submissions and their points,
quiz attempts, forum posts, peer reviews) move to the tombstone, so counts stay and nothing
links them to the person any more; rows that only serve the person (sign-in links, idempotent
replies, LTI account links, follows) are deleted. After every part ran, `accounts.erasure`
moves whatever still points at the user (any foreign key to users, found in the ORM's
metadata) to the tombstone and deletes the account row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.context import RuntimeValue

TOMBSTONE_NAME = "Deleted user"
# Tombstones' addresses: .invalid never resolves (RFC 2606), so no mail leaves, and nobody
# may register one (accounts.service.email_problem).
TOMBSTONE_DOMAIN = "erased.invalid"


@dataclass(frozen=True)
class Erasure:
    """One person being erased: who they were and the tombstone taking their place."""

    user_id: int
    name: str
    email: str
    tombstone_id: int


Export = Callable[[int], Awaitable[Any]]  # user id -> this package's section of the export
Erase = Callable[[Erasure], Awaitable[None]]  # runs inside the erasure's transaction


@dataclass(frozen=True)
class PersonalDataPart:
    export: Export | None = None
    erase: Erase | None = None


class PersonalDataParts:
    """Section name -> part, in install order (the export's order)."""

    def __init__(self) -> None:
        self._parts: dict[str, PersonalDataPart] = {}

    def register(self, name: str, part: PersonalDataPart) -> None:
        if name in self._parts:
            raise ValueError(f"personal data section {name!r} is registered twice")
        self._parts[name] = part

    def items(self) -> list[tuple[str, PersonalDataPart]]:
        return list(self._parts.items())


PERSONAL_DATA: RuntimeValue[PersonalDataParts] = RuntimeValue("personal data parts")


async def move_rows(erasure: Erasure, model: Any, *columns: str) -> None:
    """Point each of `model`'s user `columns` (e.g. "author_id") that names the erased
    person at the tombstone instead. A part calls it for its own tables only."""
    for column in columns:
        await model.filter(**{column: erasure.user_id}).update(
            **{column: erasure.tombstone_id})
