"""Accounts: registration, authentication with rate limits, user creation from the CLI."""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError

from accounts.passwords import hash_password, verify_password
from accounts.personal_data import TOMBSTONE_DOMAIN
from core.errors import BadInput, Conflict, InvalidState, NotAuthenticated, RateLimited
from core.human_time import zone_field
from core.i18n import LANGUAGES, N_
from core.i18n import gettext as _
from core.ratelimit import RateLimiter
from core.settings import Settings
from core.text import has_bad_text
from models.users import User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_EMAIL = 254  # the users.email column; the ORM refuses a longer value even in a lookup
EMAIL_MESSAGE = N_("Enter a valid email address.")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: object) -> str | None:
    """Why `email` can't be an account's address, or None: its shape, bad text, or a length
    past the column (checked on what is stored: lower() can lengthen text, 'İ' is 2 chars)."""
    if (not isinstance(email, str) or not _EMAIL.match(email.strip()) or has_bad_text(email)
            or len(normalise_email(email)) > MAX_EMAIL
            or normalise_email(email).endswith("@" + TOMBSTONE_DOMAIN)):
        return _(EMAIL_MESSAGE)
    return None


def password_problem(password: object) -> str | None:
    """Why `password` can't be an account's password, or None."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return _("Use at least %(num)s characters.", num=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return _("Use at most %(num)s characters.", num=MAX_PASSWORD)
    return None


def validate_registration(email: object, password: object, name: object) -> dict[str, str]:
    """Field -> message for every problem (empty when the input is fine)."""
    errors: dict[str, str] = {}
    if email_problem(email):
        errors["email"] = _(EMAIL_MESSAGE)
    if problem := password_problem(password):
        errors["password"] = problem
    if not isinstance(name, str) or not name.strip():
        errors["name"] = _("Enter your name.")
    elif has_bad_text(name):
        errors["name"] = _("Use ordinary text (no NUL characters).")
    elif len(name.strip()) > 200:
        errors["name"] = _("Use at most %(num)s characters.", num=200)
    return errors


async def register_user(
    email: object, password: object, name: object, *, is_admin: bool = False,
    can_create_courses: bool = False,
) -> User:
    """Create an account. Raises BadInput (per field) or Conflict (email taken)."""
    errors = validate_registration(email, password, name)
    if errors:
        raise BadInput(_("Please correct the highlighted fields."), fields=errors)
    assert isinstance(email, str) and isinstance(password, str) and isinstance(name, str)
    address = normalise_email(email)
    if await User.exists(email=address):
        raise Conflict(_("An account with this email already exists."),
                       fields={"email": _("An account with this email already exists.")})
    try:
        return await User.create(
            email=address, name=name.strip(), password_hash=hash_password(password),
            is_admin=is_admin, can_create_courses=can_create_courses or is_admin,
        )
    except IntegrityError:  # lost a race with a concurrent registration
        raise Conflict(_("An account with this email already exists."),
                       fields={"email": _("An account with this email already exists.")}) from None


async def authenticate(
    email: object, password: object, *, client_ip: str, limiter: RateLimiter, settings: Settings
) -> User:
    """Check credentials, slowing down guessers without locking anyone out.

    Failures are counted per account+address pair and per address, never per account
    alone: a stranger guessing from their address cannot stop the owner signing in from
    theirs. Past `login_attempts_per_account` failures, the pair waits 1, 2, 4, ... seconds
    (up to the window) between tries. Successful logins don't count, so a classroom behind
    one NAT address is never limited by its own students. Each attempt is counted up front
    (atomically, so a burst of concurrent guesses can't slip past the limit) and taken
    back if it succeeds.
    """
    if not isinstance(email, str) or not isinstance(password, str):
        raise BadInput(_("Email and password are required."),
                       fields={"email": _("Required."), "password": _("Required.")})
    if email_problem(email):
        raise BadInput(_(EMAIL_MESSAGE), fields={"email": _(EMAIL_MESSAGE)})
    address = normalise_email(email)
    pair_key, ip_key = f"login:pair:{client_ip}:{address}", f"login:ip:{client_ip}"
    wait_key = f"login:wait:{client_ip}:{address}"
    window = settings.login_window_seconds
    waiting = await limiter.held_for(wait_key)
    if waiting:
        raise RateLimited(_("Too many failed sign-ins for this account from your address. "
                            "Try again in %(seconds)s seconds.", seconds=waiting),
                          retry_after=waiting)
    if await limiter.hit(ip_key, window) > settings.login_attempts_per_ip:
        raise RateLimited(_("Too many failed sign-ins from your network. Try again in a few "
                            "minutes."), retry_after=window)
    failures = await limiter.hit(pair_key, window)
    user = await User.get_or_none(email=address)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        if failures >= settings.login_attempts_per_account:
            await limiter.hold(wait_key, min(
                2 ** (failures - settings.login_attempts_per_account), window))
        raise NotAuthenticated(_("Email or password is incorrect."))
    await limiter.undo(ip_key)
    await limiter.reset(pair_key)
    return user


async def set_timezone(user: User, value: object, *, detected: bool = False) -> User:
    """Show `user` times in the zone `value` (an IANA name). A zone their browser `detected`
    is only a default: it never replaces one already set."""
    name = zone_field(value)
    if detected and user.timezone:
        return user
    user.timezone = name
    await user.save(update_fields=["timezone"])
    return user


def language_field(value: object) -> str | None:
    """A language code from input (one of LANGUAGES), None for "the browser's" (empty), or
    an InvalidState (422) naming the field."""
    code = value.strip() if isinstance(value, str) else value
    if code in ("", None):
        return None
    if code not in LANGUAGES:
        raise InvalidState(_("language: choose one of %(codes)s.", codes=", ".join(LANGUAGES)),
                           fields={"language": _("Unknown language.")})
    assert isinstance(code, str)
    return code


async def set_language_setting(user: User, value: object) -> User:
    """Show `user` pages and mail in `value` (see `language_field`)."""
    user.language = language_field(value)  # type: ignore[assignment]
    await user.save(update_fields=["language"])
    return user
