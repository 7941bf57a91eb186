"""Accounts: registration, authentication with rate limits, user creation from the CLI."""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError

from app.auth.passwords import hash_password, verify_password
from app.errors import BadInput, Conflict, NotAuthenticated, RateLimited
from app.ratelimit import RateLimiter
from app.settings import Settings
from models.users import User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


def normalise_email(email: str) -> str:
    return email.strip().lower()


def validate_registration(email: object, password: object, name: object) -> dict[str, str]:
    """Field -> message for every problem (empty when the input is fine)."""
    errors: dict[str, str] = {}
    if not isinstance(email, str) or not _EMAIL.match(email.strip()) or len(email) > 254:
        errors["email"] = "Enter a valid email address."
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        errors["password"] = f"Use at least {MIN_PASSWORD} characters."
    elif len(password) > MAX_PASSWORD:
        errors["password"] = f"Use at most {MAX_PASSWORD} characters."
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "Enter your name."
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
    """Check credentials, counting failures per account and attempts per IP."""
    if not isinstance(email, str) or not isinstance(password, str):
        raise BadInput("Email and password are required.",
                       fields={"email": "Required.", "password": "Required."})
    address = normalise_email(email)
    account_key, ip_key = f"login:acct:{address}", f"login:ip:{client_ip}"
    window = settings.login_window_seconds
    if await limiter.hit(ip_key, window) > settings.login_attempts_per_ip:
        raise RateLimited("Too many login attempts from your network. Try again in a few "
                          "minutes.", retry_after=window)
    if await limiter.count(account_key) >= settings.login_attempts_per_account:
        raise RateLimited("Too many failed logins for this account. Try again in 15 minutes "
                          "or reset your password.", retry_after=window)
    user = await User.get_or_none(email=address)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        await limiter.hit(account_key, window)
        raise NotAuthenticated("Email or password is incorrect.")
    await limiter.reset(account_key)
    return user

