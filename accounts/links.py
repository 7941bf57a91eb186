"""Single-use links mailed to an account's owner: a random token in the URL, its SHA-256 in
the database (models/account_links.py). A link works once and until it expires."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from core.clock import now
from core.context import RuntimeValue
from core.errors import BadInput
from core.i18n import N_
from core.i18n import gettext as _
from core.settings import Settings
from models.account_links import AccountLink
from models.users import User

EXPIRED = N_("This link has expired or was already used. Ask for a new one.")


class Purpose(StrEnum):
    RESET = "reset"  # "forgot password"
    WELCOME = "welcome"  # an account made for someone (CSV import): set a first password
    VERIFY = "verify"  # confirm the email address of a new account


# The page each link opens.
PAGES = {Purpose.RESET: "/password-reset/confirm", Purpose.WELCOME: "/password-reset/confirm",
         Purpose.VERIFY: "/verify-email"}
# Which links set a password (the "Choose a new password" page takes both).
SETS_PASSWORD = (Purpose.RESET, Purpose.WELCOME)



@dataclass(frozen=True)
class LinkPolicy:
    """Where mailed links point (settings.public_url) and how long each kind works."""

    public_url: str = "http://127.0.0.1:8000"
    reset: timedelta = timedelta(hours=1)
    verify: timedelta = timedelta(days=7)
    welcome: timedelta = timedelta(days=14)

    @classmethod
    def from_settings(cls, settings: Settings) -> LinkPolicy:
        return cls(settings.public_url, timedelta(minutes=settings.password_reset_minutes),
                   timedelta(days=settings.verify_email_days),
                   timedelta(days=settings.welcome_days))

    def lifetime(self, purpose: Purpose) -> timedelta:
        return {Purpose.RESET: self.reset, Purpose.VERIFY: self.verify,
                Purpose.WELCOME: self.welcome}[purpose]


# Bound by accounts.install from the settings.
LINKS: RuntimeValue[LinkPolicy] = RuntimeValue("mailed link policy", default=LinkPolicy())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def issue_link(user: User, purpose: Purpose) -> str:
    """The URL of a new link for `purpose` (to `PAGES[purpose]`); earlier unused links of
    the same purpose stop working."""
    await end_links(user, (purpose,))
    token = secrets.token_urlsafe(32)
    policy = LINKS.get()
    await AccountLink.create(user_id=user.id, purpose=purpose, token_hash=_hash(token),
                             expires_at=now() + policy.lifetime(purpose))
    return f"{policy.public_url}{PAGES[purpose]}?token={token}"


async def _live(token: object, purposes: tuple[Purpose, ...]) -> AccountLink | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    return await AccountLink.get_or_none(token_hash=_hash(token), purpose__in=purposes,
                                         used_at=None, expires_at__gt=now())


async def link_works(token: object, purposes: tuple[Purpose, ...]) -> bool:
    """Whether `token` would be accepted now (without using it)."""
    return await _live(token, purposes) is not None


async def redeem_link(token: object, purposes: tuple[Purpose, ...]) -> User:
    """Use the link: returns its user, or raises BadInput if it expired, was used or never
    existed. Of two concurrent uses, one wins (a conditional update)."""
    link = await _live(token, purposes)
    if link is None or not await AccountLink.filter(id=link.id, used_at=None).update(
            used_at=now()):
        raise BadInput(_(EXPIRED), fields={"token": _(EXPIRED)})
    return await User.get(id=link.user_id)


async def end_links(user: User, purposes: tuple[Purpose, ...]) -> None:
    """Every unused link of `purposes` for `user` stops working."""
    await AccountLink.filter(user_id=user.id, purpose__in=purposes, used_at=None).update(
        used_at=now())
