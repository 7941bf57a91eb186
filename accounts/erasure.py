"""Erasing a person (GDPR): their identity goes from every table, the event log and the
content store; what course statistics count stays, owned by a tombstone.

One transaction: a tombstone account is created ("Deleted user", an address that cannot
receive mail, no usable password), every package's part (accounts.personal_data) moves
its rows to it or deletes them, the person's open sockets are told to close (through the
outbox, like a logout), the event log is rewritten, mail queued to them is dropped, and
the account row is deleted. Before deleting it, every foreign key to users is checked: a
row still pointing at the person means a package forgot a table, and the erasure is
refused (rolled back) naming it, rather than quietly cascading or nulling a row away.

The content store is not part of the SQL transaction: its editor fields are rewritten inside
it, before the commit, so a rollback leaves them naming a tombstone id that never existed
(an unknown editor), never the person.

Not covered: login rate-limit counters (keyed by address, they expire within the login
window) and, with SMTP_URL unset, copies of mails already written to the development outbox
folder (`mail.transport.forget_outbox_files` removes those when given the data dir).
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from accounts.personal_data import PERSONAL_DATA, TOMBSTONE_DOMAIN, TOMBSTONE_NAME, Erasure
from core.errors import InvalidState, NotFound
from core.i18n import gettext as _
from mail.queue import forget_recipient
from mail.transport import forget_outbox_files
from models.account_links import AccountLink
from models.idempotency import IdempotentRequest
from models.users import User
from realtime.event_scrub import erase_from_events
from realtime.rights import sessions_ended

log = logging.getLogger("coursewire.erasure")

UNUSABLE_PASSWORD = "!erased"  # not an argon2 hash: verify_password is always False


def is_tombstone(user: User) -> bool:
    return user.email.endswith("@" + TOMBSTONE_DOMAIN)


async def erase_user(user_id: int, *, outbox_dir: Path | None = None) -> int:
    """Erase the person `user_id`; returns the tombstone's id. NotFound for no such
    account, InvalidState for a tombstone (already erased)."""
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound(_("No such user."))
    if is_tombstone(user):
        raise InvalidState(_("This account was already erased."))
    async with in_transaction():
        # Writers of rows naming the person (the notification consumer) lock their
        # recipients' rows too: they finish before this starts, or find the person gone.
        await User.filter(id=user.id).select_for_update().first()
        tombstone = await User.create(
            email=f"deleted-{secrets.token_hex(8)}@{TOMBSTONE_DOMAIN}", name=TOMBSTONE_NAME,
            password_hash=UNUSABLE_PASSWORD)
        erasure = Erasure(user.id, user.name, user.email, tombstone.id)
        for _name, part in PERSONAL_DATA.get().items():
            if part.erase is not None:
                await part.erase(erasure)
        await AccountLink.filter(user_id=user.id).delete()
        # Stored replies of retried requests: they may quote the person's name.
        await IdempotentRequest.filter(user_id=user.id).delete()
        await sessions_ended(user.id)  # their sockets close, on every process
        await erase_from_events(user.id, tombstone.id, user.name, user.email, TOMBSTONE_NAME)
        await forget_recipient(user.email)
        await _refuse_leftovers(user.id)
        await User.filter(id=user.id).delete()
    if outbox_dir is not None:
        forget_outbox_files(outbox_dir, user.email)
    log.info("erased user %d (now tombstone %d)", user.id, tombstone.id)
    return tombstone.id


async def _refuse_leftovers(user_id: int) -> None:
    for app_models in Tortoise.apps.values():
        for model in app_models.values():
            for fk in model._meta.fk_fields:
                field = model._meta.fields_map[fk]
                if field.related_model is not User:
                    continue
                if await model.filter(**{field.source_field: user_id}).exists():
                    raise RuntimeError(
                        f"erasure: {model.__name__}.{fk} still names user {user_id}; the "
                        "package owning it must register its part (accounts.personal_data)")
