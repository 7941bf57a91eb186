"""The proctor page's resync. Its rows arrive with quiz.progress on `course:<id>:staff`, a
topic that does not say which quiz a page shows, so the page also joins
`quiz_proctor:<course_id>/<block_id>` (nothing is published there): when its socket
(re)connects, after a restart or a lost connection, that topic re-sends the whole table
from the database, so rows changed while the page was away are current again."""

from __future__ import annotations

from core.templating import render
from courses.audience import STAFF, course_audience
from models.users import User
from quizzes.proctor import proctor_rows, row_labels
from realtime.topics import Topic


def proctor_topic(course_id: str, block_id: str) -> str:
    return f"quiz_proctor:{course_id}/{block_id}"


def _quiz_of(topic: Topic) -> tuple[str, str]:
    course_id, _, block_id = topic.key.partition("/")  # course ids hold no "/"
    return course_id, block_id


async def authorize_proctor(topic: Topic, user: User) -> str | None:
    """Course staff, like the proctor page itself."""
    course_id, block_id = _quiz_of(topic)
    if not (course_id and block_id):
        return None
    return STAFF if await course_audience(course_id, user) == STAFF else None


async def resync_proctor(topic: Topic, user: User, audience: str) -> str:
    if audience != STAFF:
        return ""
    course_id, block_id = _quiz_of(topic)
    return render("quizzes/_proctor_table.html", course_id=course_id, block_id=block_id,
                  rows=await proctor_rows(course_id, block_id), oob=True, labels=row_labels())
