"""What the `data` of each forum event holds, per audience: the payload types that
forum.events lists in `EVENT_TYPES` (and the AsyncAPI document shows).

The post and thread shapes are the JSON API's (forum.presenters builds both), so a frame
carries exactly what a GET of the same post or thread would show its reader.
"""

# No `from __future__ import annotations` here: TypedDict reads NotRequired[...] from real
# annotations only (Python 3.11).
from typing import Literal, NotRequired, TypedDict

Status = Literal["pending", "published", "hidden", "rejected", "deleted"]
Level = Literal["none", "peers", "all"]


class Author(TypedDict):
    id: int
    name: str


class PendingEdit(TypedDict):
    body_html: str


class ThreadPayload(TypedDict):
    """A thread as its list row and head show it (`thread_json`)."""

    id: int
    course_id: str
    topic_id: str
    topic_title: str
    title: str
    type: Literal["question", "discussion"]
    pinned: bool
    locked: bool
    closed: bool
    status: Status
    anonymity: Level
    author: Author | None  # only for readers allowed to see who wrote it
    author_label: str
    post_id: int
    body_html: str
    reply_count: int
    created_at: str
    last_activity_at: str
    is_mine: NotRequired[bool]


class PostPayload(TypedDict):
    """A post its reader may read (`post_json`); `thread` when it opens a thread or the
    frame updates a list row."""

    id: int
    thread_id: int
    parent_id: int | None
    depth: int
    status: Status
    anonymity: Level
    author: Author | None
    author_label: str
    body_html: str
    score: int
    endorsed: bool
    created_at: str
    edited_at: str | None
    is_mine: NotRequired[bool]  # the author's own frames only
    body: NotRequired[str]  # the author's own frames only (their edit form)
    moderation_reason: NotRequired[str]  # the author and staff only
    pending_edit: NotRequired[PendingEdit]  # the author and staff only
    thread: NotRequired[ThreadPayload]


class PostGone(TypedDict):
    """A post its reader may no longer read (hidden, rejected, deleted): where it was."""

    id: int
    thread_id: int
    status: Status
    thread: NotRequired[ThreadPayload]


class ThreadScore(TypedDict):
    id: int
    score: int


class ScoreChanged(TypedDict):
    """A vote: the post's new score (and, to the voter, whether they now vote for it)."""

    id: int
    thread_id: int
    score: int
    thread: NotRequired[ThreadScore]  # on the thread lists, for an opening post
    voted: NotRequired[bool]  # the voter's own frame only


class FollowedThreadPost(TypedDict):
    """A new post in a thread the reader follows (their own topic)."""

    thread_id: int
    post_id: int
    thread_title: str
    following: bool


class QueueItemPayload(TypedDict):
    post_id: int
    thread_id: int
    pending: bool
    flags: int
    claimed_by: str | None
    post: PostPayload


class QueueItemResolved(TypedDict):
    post_id: int
    thread_id: int
    status: Status


class Decision(TypedDict):
    post_id: int
    thread_id: int
    decision: Literal["approve", "reject", "hide", "delete"]
    reason: str
    edit: bool  # the decision was on a held edit, not the post itself


class BanPayload(TypedDict):
    course_id: str
    until: str
    reason: str
