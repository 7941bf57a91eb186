"""Password reset and the welcome mail's first password: mailed single-use links.

Asking for a reset answers the same whether or not the account exists: the route replies
first and does the rest (look-up, link, mail) after the answer has gone (`mail_reset_link`),
so neither the answer nor its timing tells a stranger which emails have accounts. Choosing
the new password ends every session, token and open socket of the account.
"""

from __future__ import annotations

import logging

from tortoise.transactions import in_transaction

from accounts.links import SETS_PASSWORD, Purpose, end_links, issue_link, redeem_link
from accounts.passwords import hash_password
from accounts.service import EMAIL_MESSAGE, email_problem, normalise_email, password_problem
from accounts.session import end_sessions
from core.errors import BadInput, RateLimited
from core.i18n import gettext as _
from core.ratelimit import RateLimiter
from core.settings import Settings
from mail.compose import compose_for
from mail.queue import queue_mail
from models.users import User

log = logging.getLogger("coursewire.accounts")

# Per address: asking for resets is cheap to refuse; per account: no one floods a mailbox.
RESETS_PER_ADDRESS = 20
RESETS_PER_ACCOUNT = 3


async def check_reset_request(email: object, *, client_ip: str, limiter: RateLimiter,
                              settings: Settings) -> str:
    """The normalised address to mail a reset link to, or BadInput / RateLimited. Says
    nothing about whether the account exists."""
    if email_problem(email):
        raise BadInput(_(EMAIL_MESSAGE), fields={"email": _(EMAIL_MESSAGE)})
    assert isinstance(email, str)
    window = settings.login_window_seconds
    if await limiter.hit(f"reset:ip:{client_ip}", window) > RESETS_PER_ADDRESS:
        raise RateLimited(_("Too many password reset requests from your network. Try again "
                            "in a few minutes."), retry_after=window)
    return normalise_email(email)


async def mail_reset_link(address: str, *, limiter: RateLimiter, settings: Settings) -> None:
    """Mail a reset link to the account at `address`, if there is one (run after the
    answer went out). Past RESETS_PER_ACCOUNT in the window, further requests are dropped."""
    try:
        user = await User.get_or_none(email=address)
        if user is None:
            return
        if (await limiter.hit(f"reset:account:{address}", settings.login_window_seconds)
                > RESETS_PER_ACCOUNT):
            log.info("password reset for user %s not mailed: too many requests", user.id)
            return
        async with in_transaction():
            url = await issue_link(user, Purpose.RESET)
            await queue_mail(user.email, compose_for(user, "password_reset", url=url))
    except Exception:  # the answer is gone: the log is the only place left to say it
        log.exception("password reset mail for a request failed")


async def send_set_password_mail(user: User) -> None:
    """Queue a welcome mail with a link to choose a first password (for accounts made for
    someone, e.g. by a CSV import). The link works like a reset link, for longer."""
    async with in_transaction():
        url = await issue_link(user, Purpose.WELCOME)
        await queue_mail(user.email, compose_for(user, "set_password", url=url))


async def choose_password(token: object, password: object, confirm: object) -> User:
    """Set a new password through a mailed link. The link works once; every other link,
    session, token and open socket of the account ends. The address is verified too (the
    link reached it)."""
    problem = password_problem(password)
    if problem is None and password != confirm:
        raise BadInput(_("The two passwords differ."),
                       fields={"confirm": _("Type the same password twice.")})
    if problem is not None:
        raise BadInput(problem, fields={"password": problem})
    assert isinstance(password, str)
    new_hash = hash_password(password)  # slow: before the transaction, not inside it
    async with in_transaction():
        user = await redeem_link(token, SETS_PASSWORD)
        user.password_hash = new_hash
        user.email_verified = True
        await user.save(update_fields=["password_hash", "email_verified"])
        await end_links(user, SETS_PASSWORD)
        await end_sessions(user)
    return user
