"""Which events of the log become notifications, for whom, and what they say.

The consumer (notifications.consumer) hands each committed event here; nothing in the
domains knows notifications exist. Only what the event already shows its recipient is
used: a forum follower's event names the thread and never a post's author, so an anonymous
reply stays anonymous by construction (the parameters hold the thread title alone).
A notification keeps its kind and parameters; its sentence is rendered when it is shown,
in the reader's language (notifications.texts).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from models.announcements import Announcement
from models.courses import Course, Membership
from models.forum import Thread
from notifications.kinds import Draft, Kind

EventRow = dict[str, Any]  # id, topic, name, data_by_audience
Mapper = Callable[[EventRow], Awaitable[list[Draft]]]


def _own(row: EventRow) -> tuple[int, dict[str, Any]] | None:
    """(user id, their `self` data) for an event on a person's own topic."""
    topic: str = row["topic"]
    if not topic.startswith("user:"):
        return None
    data = (row.get("data_by_audience") or {}).get("self")
    try:
        return int(topic.partition(":")[2]), data if isinstance(data, dict) else {}
    except ValueError:
        return None


async def _course_title(course_id: str | None) -> str:
    if not course_id:
        return ""
    found = await Course.filter(id=course_id).values_list("title", flat=True)
    return found[0] if found else course_id


def _number(value: Any) -> float | int | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


async def forum_reply(row: EventRow) -> list[Draft]:
    own = _own(row)
    if own is None or own[1].get("following") is not True:
        return []  # the author's own view of a post, not a follower's notice
    user_id, data = own
    course = await Thread.filter(id=data["thread_id"]).values_list("course_id", flat=True)
    return [Draft(user_id, Kind.FORUM_REPLY, {"thread": data["thread_title"]},
                  f"/forum/threads/{data['thread_id']}#post-{data['post_id']}",
                  course[0] if course else None)]


async def grade(row: EventRow) -> list[Draft]:
    own = _own(row)
    if own is None or own[1].get("points") is None:
        return []
    user_id, data = own
    course_id = data.get("course_id")
    params = {"course": await _course_title(course_id), "points": _number(data["points"]),
              "max": _number(data.get("max_points"))}
    link = f"/courses/{course_id}/progress" if course_id else "/"
    return [Draft(user_id, Kind.GRADE, params, link, course_id)]


async def peer_review(row: EventRow) -> list[Draft]:
    own = _own(row)
    if own is None or own[1].get("status") != "graded":
        return []
    user_id, data = own
    course_id = data["course_id"]
    params = {"course": await _course_title(course_id), "points": _number(data.get("points")),
              "max": _number(data.get("max_points"))}
    return [Draft(user_id, Kind.PEER_REVIEW, params, f"/courses/{course_id}", course_id)]


async def quiz_result(row: EventRow) -> list[Draft]:
    own = _own(row)
    if own is None or own[1].get("status") != "graded":
        return []
    user_id, data = own
    course_id = data["course_id"]
    return [Draft(user_id, Kind.QUIZ_RESULT, {"course": await _course_title(course_id)},
                  f"/courses/{course_id}/progress", course_id)]


async def announcement(row: EventRow) -> list[Draft]:
    data = (row.get("data_by_audience") or {}).get("*")
    if not row["topic"].startswith("course:") or not isinstance(data, dict):
        return []
    course_id = data["course_id"]
    author = await Announcement.filter(id=data["id"]).values_list("author_id", flat=True)
    members = await Membership.filter(course_id=course_id).exclude(
        user_id=author[0] if author and author[0] is not None else -1
    ).values_list("user_id", flat=True)
    params = {"course": await _course_title(course_id), "title": data["title"]}
    return [Draft(user_id, Kind.ANNOUNCEMENT, params, f"/courses/{course_id}", course_id)
            for user_id in members]


# event name -> how it becomes notifications (every other event: none)
MAPPERS: dict[str, Mapper] = {
    "forum.post.created": forum_reply,
    "grade.updated": grade,
    "peer_review.result": peer_review,
    "quiz.attempt.updated": quiz_result,
    "announcement.created": announcement,
}


async def drafts_for(row: EventRow) -> list[Draft]:
    """The notifications one event means (none for most)."""
    mapper = MAPPERS.get(row["name"])
    return await mapper(row) if mapper else []
