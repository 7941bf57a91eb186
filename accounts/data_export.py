"""A person's data export (GDPR): everything stored about them, as one JSON document.

The account itself, each package's section (accounts.personal_data: memberships,
submissions and grades, forum posts including anonymous ones, peer reviews given and
received without reviewer identities, quiz attempts, ...), the mail queued to them and the
events on their own topic. Values are made JSON-able here (`json_ready`), so a part may
hand over datetimes and decimals as the ORM gives them.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from accounts.personal_data import PERSONAL_DATA
from core.clock import now
from mail.queue import mails_to
from models.users import User
from realtime.event_scrub import events_about

FORMAT = "coursewire-personal-data/1"


def profile_of(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name, "is_admin": user.is_admin,
            "can_create_courses": user.can_create_courses, "timezone": user.timezone,
            "language": user.language, "email_verified": user.email_verified,
            "created_at": user.created_at}


async def export_personal_data(user: User) -> dict[str, Any]:
    """Everything stored about `user`, JSON-able."""
    data: dict[str, Any] = {"format": FORMAT, "exported_at": now(), "profile": profile_of(user)}
    for name, part in PERSONAL_DATA.get().items():
        if part.export is not None:
            data[name] = await part.export(user.id)
    data["mail"] = await mails_to(user.email)
    data["events"] = await events_about(user.id)
    return json_ready(data)


def json_ready(value: Any) -> Any:
    """`value` with datetimes as ISO text, decimals as numbers, enums as their values."""
    return json.loads(json.dumps(value, default=_plain))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | tuple):
        return list(value)
    raise TypeError(f"not JSON-able in an export: {type(value).__name__}")
