"""The kinds of change the forum's actions hand to its events, and the moderation actions
staff take: enums, so a misspelt kind fails where it is written, not in a dispatch."""

from __future__ import annotations

from enum import StrEnum


class PostChange(StrEnum):
    """What happened to a post (or, for PINNED and THREAD, to its whole thread)."""

    CREATED = "created"  # new, or approved: students see it for the first time
    UPDATED = "updated"  # edited, endorsed, or a held edit decided
    PINNED = "pinned"  # the thread was pinned or unpinned: it moves between lists
    THREAD = "thread"  # the thread was locked, unlocked, closed or reopened
    HIDDEN = "hidden"
    UNHIDDEN = "unhidden"
    REMOVED = "removed"  # rejected or deleted
    NONE = "none"  # nothing anyone sees changed (reports dismissed)


# Changes by which a post appears on pages or leaves them (reply counts and lists follow).
SHOWN_OR_GONE = frozenset({PostChange.CREATED, PostChange.HIDDEN, PostChange.UNHIDDEN,
                           PostChange.REMOVED})


class QueueChange(StrEnum):
    """What happened to a moderation queue item."""

    QUEUED = "queued"  # appeared, or changed (a new report, a held edit)
    CLAIMED = "claimed"  # claimed or released
    RESOLVED = "resolved"  # settled: it leaves the queue


class Action(StrEnum):
    """A moderation action on a post, or on its thread (pin, lock, close)."""

    HIDE = "hide"
    UNHIDE = "unhide"
    APPROVE = "approve"
    REJECT = "reject"
    DELETE = "delete"
    PIN = "pin"
    UNPIN = "unpin"
    ENDORSE = "endorse"
    UNENDORSE = "unendorse"
    LOCK = "lock"
    UNLOCK = "unlock"
    CLOSE = "close"
    REOPEN = "reopen"
    DISMISS = "dismiss"
