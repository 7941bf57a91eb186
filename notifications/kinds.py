"""What a person can be notified of, and how each kind reaches them (inbox, mail)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.i18n import gettext as _


class Kind(StrEnum):
    FORUM_REPLY = "forum_reply"
    GRADE = "grade"
    PEER_REVIEW = "peer_review"
    ANNOUNCEMENT = "announcement"
    QUIZ_RESULT = "quiz_result"


class Mode(StrEnum):
    """Every notification lands in the inbox; the mode says whether it is also mailed."""

    INBOX = "inbox"  # the inbox only
    IMMEDIATE = "immediate"  # and a mail at once
    DIGEST = "digest"  # and in the next daily digest mail, unless read by then


# Grades and results matter and are rare: a mail at once. Forum replies and announcements
# can be many: once a day.
DEFAULT_MODES: dict[Kind, Mode] = {
    Kind.FORUM_REPLY: Mode.DIGEST,
    Kind.GRADE: Mode.INBOX,
    Kind.PEER_REVIEW: Mode.IMMEDIATE,
    Kind.ANNOUNCEMENT: Mode.DIGEST,
    Kind.QUIZ_RESULT: Mode.IMMEDIATE,
}


def kind_label(kind: Kind | str) -> str:
    """The kind's name as the preferences form shows it (in the reader's language)."""
    labels = {
        Kind.FORUM_REPLY: _("Replies in threads you follow"),
        Kind.GRADE: _("Grades"),
        Kind.PEER_REVIEW: _("Peer review results"),
        Kind.ANNOUNCEMENT: _("Course announcements"),
        Kind.QUIZ_RESULT: _("Quiz and exam results"),
    }
    return labels[Kind(kind)]


def mode_label(mode: Mode | str) -> str:
    labels = {Mode.INBOX: _("Inbox only"), Mode.IMMEDIATE: _("Inbox and a mail at once"),
              Mode.DIGEST: _("Inbox and the daily digest mail")}
    return labels[Mode(mode)]


@dataclass(frozen=True)
class Draft:
    """One notification to write: its kind and what its sentence says (`params`), rendered
    in the reader's language whenever it is shown (notifications.texts)."""

    user_id: int
    kind: Kind
    params: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    course_id: str | None = None
