"""Block types' names for people ("Chapter", "Problem") in the language of the page.

content_store names each type in English (`BlockType.label`); the outline editor and the
block editor show them through `block_label()`, which translates the known ones.
"""

from __future__ import annotations

from content_store.blocks import block_type
from core.i18n import gettext as _


def block_labels() -> dict[str, str]:
    return {"course": _("Course"), "chapter": _("Chapter"), "sequential": _("Subsection"),
            "vertical": _("Unit"), "html": _("Text"), "video": _("Video"),
            "problem": _("Problem"), "code": _("Code exercise"), "quiz": _("Quiz"),
            "peer_review": _("Peer review"), "discussion": _("Discussion")}


def block_label(type_name: str) -> str:
    return block_labels().get(type_name) or block_type(type_name).label
