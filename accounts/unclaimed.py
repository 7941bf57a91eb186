"""Accounts made for someone else (a course's CSV import): no usable password until the
owner sets one through the set-password mail."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from accounts.service import normalise_email
from models.users import User

# Not an argon2 hash, so no password ever verifies against it (accounts.passwords).
NO_PASSWORD = "!unclaimed"


async def unclaimed_account(email: str, name: str) -> tuple[User, bool]:
    """The account for `email`, made with no usable password if there is none yet; and
    whether it was made now. Callers validate `email` and `name` first."""
    address = normalise_email(email)
    user = await User.get_or_none(email=address)
    if user is not None:
        return user, False
    try:
        return await User.create(email=address, name=name.strip(),
                                 password_hash=NO_PASSWORD), True
    except IntegrityError:  # made concurrently by a registration or another import
        return await User.get(email=address), False
