"""Enrolling a class from a CSV file: the valid lines are applied, the others reported."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from accounts.recovery import send_set_password_mail
from accounts.unclaimed import unclaimed_account
from core.i18n import gettext as _
from courses.member_csv import LineError, MemberRow, parse_member_csv
from courses.membership import MemberChange, write_memberships
from courses.service import require_role
from models.courses import Membership, Role
from models.users import User


@dataclass
class ImportResult:
    enrolled: int = 0
    created: int = 0
    errors: list[LineError] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"enrolled": self.enrolled, "created": self.created,
                "errors": [e.as_json() for e in self.errors]}


async def import_members(actor: User, course_id: str, data: bytes) -> ImportResult:
    """Enrol every valid line of a members CSV (instructors); accounts that don't exist yet
    are made without a password and their owners mailed a link to set one."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    rows, errors = parse_member_csv(data)
    rows, refused = await _keep_an_instructor(course_id, rows)
    errors = sorted([*errors, *refused], key=lambda e: e.line)
    changes, new_accounts = [], []
    for row in rows:
        user, made = await unclaimed_account(row.email, row.name)
        if made:
            new_accounts.append(user)
        changes.append(MemberChange(user.id, row.role, row.group))
    await write_memberships(course_id, changes)
    await notify_new_accounts(new_accounts)
    return ImportResult(len(changes), len(new_accounts), errors)


async def notify_new_accounts(users: Sequence[User]) -> None:
    """Send each account made by an import its set-password mail (queued durably: the
    mail worker sends it, retrying, even if this process stops)."""
    for user in users:
        await send_set_password_mail(user)


async def _keep_an_instructor(course_id: str,
                              rows: list[MemberRow]) -> tuple[list[MemberRow], list[LineError]]:
    """Refuse the lines that would demote the course's last instructors."""
    instructors = {m.user.email: m for m in await Membership.filter(
        course_id=course_id, role=Role.INSTRUCTOR).prefetch_related("user")}
    demoted = [r for r in rows if r.email in instructors and r.role != Role.INSTRUCTOR]
    promoted = any(r.role == Role.INSTRUCTOR for r in rows)
    if not demoted or promoted or len(demoted) < len(instructors):
        return rows, []
    message = _("This would leave the course without an instructor; keep one or add another.")
    return ([r for r in rows if r not in demoted],
            [LineError(r.line, message) for r in demoted])
