"""Accounts: registration, authentication with rate limits, user creation from the CLI."""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError

from app.auth.passwords import hash_password, verify_password
from app.errors import BadInput, Conflict, NotAuthenticated, RateLimited
from app.ratelimit import RateLimiter
from app.settings import Settings
from app.text import has_bad_text
from models.users import User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


def normalise_email(email: str) -> str:
    return email.strip().lower()


def validate_registration(email: object, password: object, name: object) -> dict[str, str]:
    """Field -> message for every problem (empty when the input is fine)."""
    errors: dict[str, str] = {}
    # Lengths are checked on what is stored: lower() can lengthen text ('İ' becomes 2 chars).
    if (not isinstance(email, str) or not _EMAIL.match(email.strip()) or has_bad_text(email)
            or len(normalise_email(email)) > 254):
        errors["email"] = "Enter a valid email address."
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        errors["password"] = f"Use at least {MIN_PASSWORD} characters."
    elif len(password) > MAX_PASSWORD:
        errors["password"] = f"Use at most {MAX_PASSWORD} characters."
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "Enter your name."
    elif has_bad_text(name):
        errors["name"] = "Use ordinary text (no NUL characters)."
    elif len(name.strip()) > 200:
        errors["name"] = "Use at most 200 characters."
    return errors


async def register_user(
    email: object, password: object, name: object, *, is_admin: bool = False,
    can_create_courses: bool = False,
) -> User:
    """Create an account. Raises BadInput (per field) or Conflict (email taken)."""
    errors = validate_registration(email, password, name)
    if errors:
        raise BadInput("Please correct the highlighted fields.", fields=errors)
    assert isinstance(email, str) and isinstance(password, str) and isinstance(name, str)
    address = normalise_email(email)
    if await User.exists(email=address):
        raise Conflict("An account with this email already exists.",
                       fields={"email": "An account with this email already exists."})
    try:
        return await User.create(
            email=address, name=name.strip(), password_hash=hash_password(password),
            is_admin=is_admin, can_create_courses=can_create_courses or is_admin,
        )
    except IntegrityError:  # lost a race with a concurrent registration
        raise Conflict("An account with this email already exists.",
                       fields={"email": "An account with this email already exists."}) from None


async def authenticate(
    email: object, password: object, *, client_ip: str, limiter: RateLimiter, settings: Settings
) -> User:
    """Check credentials; too many *failed* logins per account or per IP are RateLimited.

    Successful logins don't count, so a classroom logging in behind one NAT address is
    never locked out by its own students. Each attempt is counted up front (atomically, so a
    burst of concurrent guesses can't slip past the limit) and taken back if it succeeds.
    """
    if not isinstance(email, str) or not isinstance(password, str):
        raise BadInput("Email and password are required.",
                       fields={"email": "Required.", "password": "Required."})
    if has_bad_text(email):
        raise BadInput("Enter a valid email address.",
                       fields={"email": "Enter a valid email address."})
    address = normalise_email(email)
    account_key, ip_key = f"login:acct:{address}", f"login:ip:{client_ip}"
    window = settings.login_window_seconds
    if await limiter.hit(ip_key, window) > settings.login_attempts_per_ip:
        raise RateLimited("Too many failed logins from your network. Try again in a few "
                          "minutes.", retry_after=window)
    if await limiter.hit(account_key, window) > settings.login_attempts_per_account:
        raise RateLimited("Too many failed logins for this account. Try again in 15 minutes "
                          "or reset your password.", retry_after=window)
    user = await User.get_or_none(email=address)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise NotAuthenticated("Email or password is incorrect.")
    await limiter.undo(ip_key)
    await limiter.reset(account_key)
    return user
