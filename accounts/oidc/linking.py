"""Provider accounts and Coursewire accounts: linked by (provider, sub), never by email
alone. A first sign-in links to an existing account only when both the provider and
Coursewire have verified that address; otherwise the person proves the account is theirs
with its password (an explicit link), or links from their profile while signed in."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from accounts.oidc.errors import SignInRefused
from accounts.service import email_problem, normalise_email
from core.errors import Conflict, InvalidState, NotFound
from core.i18n import gettext as _
from models.oidc import OidcIdentity, OidcProvider
from models.users import User

log = logging.getLogger(__name__)

# Accounts made by a provider sign-in have no password (none verifies) until the owner
# sets one through "Forgot password?".
NO_PASSWORD = "!oidc"


@dataclass(frozen=True)
class Identity:
    """Who a provider says someone is."""

    provider_id: int
    provider_name: str
    subject: str
    email: str | None  # normalised; None when the provider gave no usable address
    email_verified: bool
    name: str

    def as_session(self) -> dict[str, Any]:
        return {"provider_id": self.provider_id, "provider_name": self.provider_name,
                "subject": self.subject, "email": self.email,
                "email_verified": self.email_verified, "name": self.name}

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> Identity:
        return cls(**data)


@dataclass(frozen=True)
class Outcome:
    """A sign-in's result: the account to sign in, or an identity waiting for the owner of
    the account with its address to prove, with the password, that it is theirs."""

    user: User | None = None
    needs_password: Identity | None = None
    created: bool = False


def _name(claims: dict[str, Any]) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return (name or claims.get("preferred_username") or "").strip()[:200] or "User"


def identity_of(provider: OidcProvider, claims: dict[str, Any]) -> Identity:
    """The identity in checked claims. Refused when the provider restricts domains and the
    address is not in one of them."""
    email = claims.get("email")
    usable = isinstance(email, str) and email_problem(email) is None
    address = normalise_email(email) if usable and isinstance(email, str) else None
    domains = provider.email_domains or []
    if domains and (address is None or address.rpartition("@")[2] not in domains):
        raise SignInRefused(_("Your address at %(provider)s (%(email)s) is not in a domain "
                              "allowed to sign in here.", provider=provider.display_name,
                              email=address or "-"), status=403)
    verified = claims.get("email_verified") in (True, "true")  # some providers send text
    return Identity(provider.id, provider.display_name, str(claims["sub"])[:255], address,
                    verified and address is not None, _name(claims))


def _placeholder_email(identity: Identity) -> str:
    digest = hashlib.sha256(f"{identity.provider_id}\n{identity.subject}".encode())
    return f"oidc-{digest.hexdigest()[:24]}@sign-in.invalid"


async def _linked(identity: Identity) -> OidcIdentity | None:
    return await OidcIdentity.get_or_none(provider_id=identity.provider_id,
                                          subject=identity.subject).prefetch_related("user")


async def sign_in_with(identity: Identity) -> Outcome:
    """The account `identity` signs in to: its linked one; else the one with its address
    when both sides verified that address (linked now); else a new account, unless an
    account already has the address (then its owner must link with the password)."""
    known = await _linked(identity)
    if known is not None:
        if identity.email and known.email != identity.email:
            known.email = identity.email
            await known.save(update_fields=["email"])
        return Outcome(user=known.user)
    existing = await User.get_or_none(email=identity.email) if identity.email else None
    if existing is not None:
        if identity.email_verified and existing.email_verified:
            await link_identity(existing, identity)
            log.info("linked %s account %s to user %s by their verified address",
                     identity.provider_name, identity.subject, existing.id)
            return Outcome(user=existing)
        return Outcome(needs_password=identity)
    try:
        async with in_transaction():
            user = await User.create(
                email=identity.email or _placeholder_email(identity), name=identity.name,
                password_hash=NO_PASSWORD, email_verified=identity.email_verified)
            await OidcIdentity.create(provider_id=identity.provider_id,
                                      subject=identity.subject, user=user,
                                      email=identity.email)
    except IntegrityError:  # a concurrent first sign-in (same sub or same address) won
        known = await _linked(identity)
        if known is None:
            return Outcome(needs_password=identity)
        return Outcome(user=known.user)
    log.info("made user %s for %s account %s", user.id, identity.provider_name,
             identity.subject)
    return Outcome(user=user, created=True)


async def link_identity(user: User, identity: Identity) -> OidcIdentity:
    """Link `identity` to `user` (who proved the account is theirs). Conflict when the
    provider account belongs to someone else, or `user` has another account there."""
    known = await _linked(identity)
    if known is not None:
        if known.user_id == user.id:
            return known
        raise Conflict(_("This %(provider)s account is already linked to another Coursewire "
                         "account.", provider=identity.provider_name))
    if await OidcIdentity.exists(user_id=user.id, provider_id=identity.provider_id):
        raise Conflict(_("Your account is already linked to another %(provider)s account. "
                         "Unlink it on your profile first.", provider=identity.provider_name))
    try:
        return await OidcIdentity.create(provider_id=identity.provider_id,
                                         subject=identity.subject, user=user,
                                         email=identity.email)
    except IntegrityError:
        raise Conflict(_("This %(provider)s account is already linked to another Coursewire "
                         "account.", provider=identity.provider_name)) from None


def has_password(user: User) -> bool:
    return bool(user.password_hash) and not user.password_hash.startswith("!")


async def links_of(user: User) -> list[OidcIdentity]:
    return await OidcIdentity.filter(user_id=user.id).prefetch_related("provider").order_by(
        "created_at")


async def unlink(user: User, identity_id: int) -> None:
    """Remove one of `user`'s links, unless it is their only way to sign in."""
    link = await OidcIdentity.get_or_none(id=identity_id, user_id=user.id)
    if link is None:
        raise NotFound(_("No such linked account."))
    others = await OidcIdentity.filter(user_id=user.id).exclude(id=identity_id).count()
    if not has_password(user) and others == 0:
        raise InvalidState(_("This is your only way to sign in. Set a password first (log "
                             "out, then \"Forgot password?\"), or link another account."))
    await link.delete()
