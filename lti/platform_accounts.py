"""Platform users' Coursewire accounts: one per (issuer, sub), made at first sight (a
launch or a roster sync), never matched by email."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.lti import LtiAccount
from models.users import User

# Accounts made by a launch sign in only through their platform: no password verifies.
NO_PASSWORD = "!lti"


def _display_name(claims: dict[str, object]) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return (name or "Platform user").strip()[:200]


def _placeholder_email(issuer: str, subject: str) -> str:
    """A unique address that is nobody's mailbox: accounts are linked by (issuer, sub),
    never by the platform's email, so a platform cannot claim someone else's account."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]
    host = (urlsplit(issuer).hostname or "platform").lower()[:100]
    return f"lti-{digest}@{host}.lti.invalid"


async def platform_user(issuer: str, claims: dict[str, object]) -> User:
    """The account linked to the platform user `sub` of `issuer`, made on first launch."""
    subject = str(claims["sub"])
    account = await LtiAccount.get_or_none(issuer=issuer, subject=subject).prefetch_related(
        "user")
    if account is not None:
        return account.user
    try:
        async with in_transaction():
            user = await User.create(email=_placeholder_email(issuer, subject),
                                     name=_display_name(claims), password_hash=NO_PASSWORD)
            await LtiAccount.create(issuer=issuer, subject=subject, user=user)
        return user
    except IntegrityError:  # a concurrent first launch of the same user made it
        account = await LtiAccount.get(issuer=issuer, subject=subject).prefetch_related("user")
        return account.user
