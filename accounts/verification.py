"""Email verification: a new account is mailed a link; opening it marks the address
verified (`User.email_verified`), which later features may ask for (e.g. linking an
institution's sign-in to an existing account)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from accounts.links import Purpose, issue_link, redeem_link
from accounts.service import register_user
from mail.compose import compose_for
from mail.queue import queue_mail
from models.users import User


async def send_verification_mail(user: User) -> None:
    """Queue a mail with a link that verifies `user`'s address."""
    async with in_transaction():
        url = await issue_link(user, Purpose.VERIFY)
        await queue_mail(user.email, compose_for(user, "verify_email", url=url))


async def sign_up(email: object, password: object, name: object) -> User:
    """Create an account (register_user's checks) and mail it a verification link: the
    account, its link and the queued mail commit together."""
    async with in_transaction():
        user = await register_user(email, password, name)
        await send_verification_mail(user)
    return user


async def verify_email(token: object) -> User:
    """Use a verification link; raises BadInput when it expired or was used."""
    user = await redeem_link(token, (Purpose.VERIFY,))
    if not user.email_verified:
        user.email_verified = True
        await user.save(update_fields=["email_verified"])
    return user
