"""Extensions: staff give one student a later due date and/or extra attempts for one
block, or take it back; every grant and revocation is kept in ExtensionLog.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from core.datetimes import datetime_field
from core.errors import BadInput, NotFound
from core.human_time import local_time_field
from core.ids import parse_id
from courses.service import require_role
from grading import events
from grading.course_blocks import graded_block
from grading.overrides import MAX_REASON
from grading.queries import course_student
from models.courses import Role
from models.grading import Extension, ExtensionLog
from models.users import User


async def grant_extension(actor: User, course_id: str, user_id: object, block_id: str,
                          due_at: object, reason: object = "",
                          extra_attempts: object = 0, *, zone: str | None = None) -> Extension:
    """Give one student a later due date and/or extra attempts for one block (TAs and
    instructors). Replaces any extension they had for it; audited in ExtensionLog. A
    `due_at` without an offset is on the clock of `zone` (the staff member's, from a form);
    without a zone (the JSON API) it is UTC."""
    await require_role(actor, course_id, Role.TA)
    student = await course_student(course_id, user_id)
    await graded_block(course_id, block_id)
    due = due_at_field(due_at, zone)
    extra = _extra_attempts(extra_attempts)
    if due is None and not extra:
        raise BadInput("Give a new due date, extra attempts, or both.",
                       fields={"due_at": "Required without extra attempts."})
    text = reason.strip()[:MAX_REASON] if isinstance(reason, str) else ""
    async with in_transaction():  # the extension, its log row and its event commit together
        ext, created = await Extension.get_or_create(
            user_id=student.id, course_id=course_id, block_id=block_id,
            defaults={"due_at": due, "extra_attempts": extra, "reason": text,
                      "granted_by_id": actor.id})
        if not created:
            ext.due_at, ext.extra_attempts = due, extra  # type: ignore[assignment]
            ext.reason, ext.granted_by_id = text, actor.id  # type: ignore[assignment]
            await ext.save()
        await ExtensionLog.create(course_id=course_id, user_id=student.id,
                                  block_id=block_id, action="granted", due_at=due,
                                  extra_attempts=extra, reason=text, by_id=actor.id)
        await events.block_state_changed(student.id, course_id, block_id)
    return ext


def due_at_field(value: object, zone: str | None, field: str = "due_at") -> datetime | None:
    """A date from a form (on `zone`'s clock when it has no offset) or the API (UTC);
    empty means none."""
    if value is None or value == "":
        return None
    return datetime_field(value, field) if zone is None else local_time_field(
        value, zone, field)


MAX_EXTRA_ATTEMPTS = 100


def _extra_attempts(value: object) -> int:
    if value is None or value == "":
        return 0
    text = value.strip() if isinstance(value, str) else None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif text is not None and text.isascii() and text.isdigit() and len(text) <= 3:
        number = int(text)
    if number is None or not 0 <= number <= MAX_EXTRA_ATTEMPTS:
        raise BadInput(f"Extra attempts must be a whole number from 0 to "
                       f"{MAX_EXTRA_ATTEMPTS}.", fields={"extra_attempts": "Invalid."})
    return number


async def list_extensions(actor: User, course_id: str) -> list[Extension]:
    """The course's extensions in force, newest first (TAs and instructors)."""
    await require_role(actor, course_id, Role.TA)
    return await Extension.filter(course_id=course_id).order_by("-granted_at").prefetch_related(
        "user", "granted_by").limit(500)


async def extension_log(actor: User, course_id: str) -> list[ExtensionLog]:
    """The audit trail of grants and revocations, newest first."""
    await require_role(actor, course_id, Role.TA)
    return await ExtensionLog.filter(course_id=course_id).order_by("-id").prefetch_related(
        "user", "by").limit(200)


async def revoke_extension(actor: User, course_id: str, extension_id: object,
                           reason: object = "") -> None:
    """Take an extension back: the block's own due date and attempts apply again."""
    await require_role(actor, course_id, Role.TA)
    number = parse_id(extension_id)
    ext = None if number is None else await Extension.get_or_none(id=number,
                                                                   course_id=course_id)
    if ext is None:
        raise NotFound("No such extension in this course.")
    text = reason.strip()[:MAX_REASON] if isinstance(reason, str) else ""
    async with in_transaction():
        deleted = await Extension.filter(id=ext.id).delete()
        if not deleted:
            raise NotFound("No such extension in this course.")
        await ExtensionLog.create(course_id=course_id, user_id=ext.user_id,
                                  block_id=ext.block_id, action="revoked", due_at=ext.due_at,
                                  extra_attempts=ext.extra_attempts, reason=text,
                                  by_id=actor.id)
        await events.block_state_changed(ext.user_id, course_id, ext.block_id)
