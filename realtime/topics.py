"""Topics: what a socket may subscribe to, and as which audience.

A topic's *audience* picks which rendering of an event the socket receives
(`student` or `staff` on course topics, `self` on a user's own topic). Domain packages
register authorizers for their own topic kinds (e.g. `thread:<id>`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.text import has_bad_text
from models.courses import Course, Membership, Role
from models.users import User

STAFF_ROLES = {Role.TA, Role.INSTRUCTOR}


class UnknownTopic(ValueError):
    """The topic string names no topic kind we know."""


@dataclass(frozen=True)
class Topic:
    name: str  # canonical: user:me becomes user:<id>
    kind: str  # user, course, course_forum, course_staff, thread, submission, ...
    key: str  # the id part


Authorizer = Callable[[Topic, User], Awaitable[str | None]]
_authorizers: dict[str, Authorizer] = {}


def register_topic_kind(kind: str, authorizer: Authorizer) -> None:
    _authorizers[kind] = authorizer


def parse_topic(raw: object, user: User) -> Topic:
    if not isinstance(raw, str) or not 0 < len(raw) <= 255:
        raise UnknownTopic("a topic is a string of 1-255 characters")
    if has_bad_text(raw):
        # No topic holds one, and passing it on would fail inside the database driver.
        raise UnknownTopic("a topic can't contain NUL characters or unpaired surrogates")
    if raw == "user:me":
        return Topic(f"user:{user.id}", "user", str(user.id))
    if raw.startswith("course:"):
        rest = raw.removeprefix("course:")
        for suffix, kind in ((":forum", "course_forum"), (":staff", "course_staff")):
            if rest.endswith(suffix):
                return Topic(raw, kind, rest.removesuffix(suffix))
        return Topic(raw, "course", rest)
    kind, sep, key = raw.partition(":")
    if sep and key and kind in _authorizers:
        return Topic(raw, kind, key)
    raise UnknownTopic(f"unknown topic {raw!r}")


def public_name(topic: str) -> str:
    """How a topic is named back to its subscriber (a user's own topic is `user:me`)."""
    return "user:me" if topic.startswith("user:") else topic


async def course_audience(course_id: str, user: User) -> str | None:
    """`staff` or `student` for a member (admins read as staff), None for anyone else."""
    if user.is_admin:
        return "staff" if await Course.exists(id=course_id) else None
    membership = await Membership.get_or_none(user_id=user.id, course_id=course_id)
    if membership is None:
        return None
    return "staff" if membership.role in STAFF_ROLES else "student"


async def _authorize_user(topic: Topic, user: User) -> str | None:
    return "self" if topic.key == str(user.id) else None


async def _authorize_course(topic: Topic, user: User) -> str | None:
    return await course_audience(topic.key, user)


async def _authorize_course_staff(topic: Topic, user: User) -> str | None:
    audience = await course_audience(topic.key, user)
    return "staff" if audience == "staff" else None


register_topic_kind("user", _authorize_user)
register_topic_kind("course", _authorize_course)
register_topic_kind("course_forum", _authorize_course)
register_topic_kind("course_staff", _authorize_course_staff)


async def authorize(topic: Topic, user: User) -> str | None:
    """The audience `user` reads `topic` as, or None if they may not read it."""
    authorizer = _authorizers.get(topic.kind)
    if authorizer is None:
        raise UnknownTopic(f"unknown topic {topic.name!r}")
    return await authorizer(topic, user)
