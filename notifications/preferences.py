"""Per-person choice of how each kind of notification reaches them (notifications.kinds)."""

from __future__ import annotations

from typing import Any

from core.errors import BadInput
from core.i18n import gettext as _
from models.notifications import NotificationPreference
from notifications.kinds import DEFAULT_MODES, Kind, Mode


def _merged(stored: dict[str, Any] | None) -> dict[Kind, Mode]:
    modes = dict(DEFAULT_MODES)
    for kind, mode in (stored or {}).items():
        if kind in Kind._value2member_map_ and mode in Mode._value2member_map_:
            modes[Kind(kind)] = Mode(mode)
    return modes


async def modes_of(user_id: int) -> dict[Kind, Mode]:
    """Every kind's mode for the user (their choice, else the default)."""
    row = await NotificationPreference.get_or_none(user_id=user_id)
    return _merged(row.modes if row else None)


async def modes_for(user_ids: list[int]) -> dict[int, dict[Kind, Mode]]:
    rows = await NotificationPreference.filter(user_id__in=user_ids).values_list(
        "user_id", "modes")
    stored = dict(rows)
    return {uid: _merged(stored.get(uid)) for uid in user_ids}


def parse_modes(data: object) -> dict[Kind, Mode]:
    """`{kind: mode}` from a request; anything unknown is a clear 400 naming the field."""
    if not isinstance(data, dict):
        raise BadInput(_("Send an object of kind: mode."))
    errors: dict[str, str] = {}
    modes: dict[Kind, Mode] = {}
    choices = ", ".join(m.value for m in Mode)
    for kind, mode in data.items():
        if kind not in Kind._value2member_map_:
            errors[str(kind)[:64]] = _("Not a kind of notification: %(kinds)s",
                                       kinds=", ".join(Kind))
        elif not isinstance(mode, str) or mode not in Mode._value2member_map_:
            errors[kind] = _("Choose one of: %(modes)s.", modes=choices)
        else:
            modes[Kind(kind)] = Mode(mode)
    if errors:
        raise BadInput(_("Some preferences are not valid."), fields=errors)
    return modes


async def set_modes(user_id: int, changes: dict[Kind, Mode]) -> dict[Kind, Mode]:
    """Change the modes of the kinds named; the others keep theirs. Returns all modes."""
    row, _created = await NotificationPreference.get_or_create(user_id=user_id)
    stored = {**(row.modes or {}), **{k.value: m.value for k, m in changes.items()}}
    await NotificationPreference.filter(user_id=user_id).update(modes=stored)
    return _merged(stored)


def modes_json(modes: dict[Kind, Mode]) -> dict[str, str]:
    return {kind.value: mode.value for kind, mode in modes.items()}
