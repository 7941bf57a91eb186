"""What staff see of grade passback: the course's scores not yet taken by a platform
(waiting for their first send, or refused with the platform's error and retried with
backoff), and "retry now" for one of them. The sending itself is lti.passback's."""

from __future__ import annotations

from typing import Any

from core.clock import now
from core.errors import NotFound
from core.i18n import gettext as _
from core.paging import PageRequest
from courses.service import require_role
from lti.ags import GradeServices
from lti.passback import send_score
from models.courses import Role
from models.lti import LtiScore
from models.users import User

SENDS_LIMIT = 50
SENDS_MAX = 200


async def unsent_scores(viewer: User, course_id: str,
                        page: PageRequest) -> tuple[list[LtiScore], tuple[int, ...] | None]:
    """A page of the course's scores the platforms have not taken, oldest first, and the
    key of the next page (None on the last). Staff (TAs and instructors) only."""
    await require_role(viewer, course_id, Role.TA)
    query = LtiScore.filter(link__course_id=course_id, sent_at=None)
    after = page.key(1)
    if after is not None:
        query = query.filter(id__gt=after[0])
    rows = await query.order_by("id").limit(page.limit + 1).prefetch_related(
        "link__registration", "user")
    more = len(rows) > page.limit
    rows = rows[:page.limit]
    return rows, ((rows[-1].id,) if more else None)


async def retry_score(viewer: User, course_id: str, score_id: int,
                      services: GradeServices | None = None) -> LtiScore:
    """Send one of the course's unsent scores now (staff); the row as it is afterwards.
    A score the platform took meanwhile is simply returned."""
    await require_role(viewer, course_id, Role.TA)
    score = await LtiScore.get_or_none(id=score_id, link__course_id=course_id
                                       ).prefetch_related("link__registration", "user")
    if score is None:
        raise NotFound(_("No grade send %(score_id)s in this course.", score_id=score_id))
    if score.sent_at is None:
        await LtiScore.filter(id=score.id).update(next_try_at=now())
        await send_score(score, services)
        await score.refresh_from_db()
    return score


def score_json(score: LtiScore) -> dict[str, Any]:
    link = score.link
    return {
        "id": score.id, "user_id": score.user_id, "user_name": score.user.name,
        "platform": link.registration.issuer, "link_title": link.title,
        "block_id": link.block_id, "given": score.given, "maximum": score.maximum,
        "status": "sent" if score.sent_at else "failed" if score.attempts else "pending",
        "attempts": score.attempts, "last_error": score.last_error,
        "changed_at": score.changed_at.isoformat(),
        "next_try_at": None if score.sent_at else score.next_try_at.isoformat(),
        "sent_at": score.sent_at.isoformat() if score.sent_at else None,
    }
