"""Topics: what a socket may subscribe to, and as which audience.

A topic's *audience* picks which rendering of an event the socket receives
(`student` or `staff` on course topics, `self` on a user's own topic). A `TopicKinds`
registry, held by the Runtime, maps each kind to its authorizer: realtime knows `user`,
the platform's install() adds the course topics (courses.audience holds the role ->
audience rule) and each domain's install() its own kinds (e.g. `thread:<id>`). The
Runtime binds its registry (`TOPIC_KINDS`); `parse_topic` and `authorize` read it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.context import RuntimeValue
from core.text import has_bad_text
from models.users import User


class UnknownTopic(ValueError):
    """The topic string names no topic kind we know."""


@dataclass(frozen=True)
class Topic:
    name: str  # canonical: user:me becomes user:<id>
    kind: str  # user, course, course_forum, course_staff, thread, submission, ...
    key: str  # the id part


Authorizer = Callable[[Topic, User], Awaitable[str | None]]


async def _authorize_user(topic: Topic, user: User) -> str | None:
    return "self" if topic.key == str(user.id) else None


class TopicKinds:
    """The topic kinds a process serves and who may read each. Registering a kind again
    replaces its authorizer."""

    def __init__(self) -> None:
        self._authorizers: dict[str, Authorizer] = {"user": _authorize_user}

    def register(self, kind: str, authorizer: Authorizer) -> None:
        self._authorizers[kind] = authorizer

    def __contains__(self, kind: str) -> bool:
        return kind in self._authorizers

    def get(self, kind: str) -> Authorizer | None:
        return self._authorizers.get(kind)


TOPIC_KINDS: RuntimeValue[TopicKinds] = RuntimeValue("topic registry")


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
    known = TOPIC_KINDS.peek()
    if sep and key and known is not None and kind in known:
        return Topic(raw, kind, key)
    raise UnknownTopic(f"unknown topic {raw!r}")


def public_name(topic: str) -> str:
    """How a topic is named back to its subscriber (a user's own topic is `user:me`)."""
    return "user:me" if topic.startswith("user:") else topic


async def authorize(topic: Topic, user: User) -> str | None:
    """The audience `user` reads `topic` as, or None if they may not read it."""
    authorizer = TOPIC_KINDS.get().get(topic.kind)
    if authorizer is None:
        raise UnknownTopic(f"unknown topic {topic.name!r}")
    return await authorizer(topic, user)
