"""Manual grades: staff set or clear a student's score for a block, with a reason."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core.errors import BadInput
from core.i18n import gettext as _
from courses.service import require_role
from grading import events
from grading.block_state import block_state
from grading.course_blocks import graded_block
from grading.queries import course_student
from models.courses import Role
from models.grading import GradeOverride
from models.users import User

MAX_REASON = 2_000


def _reason(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise BadInput(_("Give a reason (it is kept in the audit trail)."),
                       fields={"reason": _("Required.")})
    if len(reason) > MAX_REASON:
        raise BadInput(_("Keep the reason under %(maximum)s characters.", maximum=MAX_REASON),
                       fields={"reason": _("Too long.")})
    return reason.strip()


async def override_grade(actor: User, course_id: str, user_id: object, block_id: str,
                         points: object, reason: object) -> GradeOverride:
    """Set (or, with points None/"", clear) a student's grade for a block by hand."""
    await require_role(actor, course_id, Role.TA)
    student = await course_student(course_id, user_id)
    block, _policy = await graded_block(course_id, block_id)
    why = _reason(reason)
    value: float | None
    if points is None or points == "":
        value = None
    else:
        try:
            value = float(str(points))
        except ValueError:
            raise BadInput(_("Points must be a number."),
                           fields={"points": _("Not a number.")}) from None
        if not 0 <= value <= block.max_points:
            raise BadInput(_("Points must be between 0 and %(max_points)s.",
                             max_points=format(block.max_points, "g")),
                           fields={"points": _("Out of range.")})
    before = await block_state(student.id, course_id, block_id)
    previous = (before.override_points if before.override_points is not None else
                before.counted)
    async with in_transaction():  # the override and its events commit together
        row = await GradeOverride.create(user_id=student.id, course_id=course_id,
                                         block_id=block_id, points=value,
                                         previous_points=previous, reason=why, by_id=actor.id)
        await events.block_state_changed(student.id, course_id, block_id, graded=True)
    return row


async def override_history(actor: User, course_id: str) -> list[GradeOverride]:
    await require_role(actor, course_id, Role.TA)
    return await GradeOverride.filter(course_id=course_id).order_by("-id").prefetch_related(
        "user", "by").limit(200)
