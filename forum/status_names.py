"""A post's status as people read it ("held for approval" is `pending`), in the page's language."""

from __future__ import annotations

from core.i18n import gettext as _


def status_names() -> dict[str, str]:
    return {"pending": _("pending"), "published": _("published"), "hidden": _("hidden"),
            "rejected": _("rejected"), "deleted": _("deleted")}


def status_name(value: str) -> str:
    return status_names().get(value, value)
