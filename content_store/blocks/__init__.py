"""The block type registry: one module per type, each exporting ``BLOCK``."""

from __future__ import annotations

from typing import Any

from content_store.blocks import (
    chapter,
    code,
    course,
    discussion,
    html,
    peer_review,
    problem,
    quiz,
    sequential,
    vertical,
    video,
)
from content_store.blocks.base import BlockType, Field
from content_store.errors import BlockValidationError
from core.i18n import gettext as _

BLOCK_TYPES: dict[str, BlockType] = {
    m.BLOCK.name: m.BLOCK
    for m in (course, chapter, sequential, vertical, html, video, problem, code,
              peer_review, discussion, quiz)
}

__all__ = ["BLOCK_TYPES", "BlockType", "Field", "block_type", "student_view"]


def block_type(name: str) -> BlockType:
    """The registered type called ``name``; an unknown type is a BlockValidationError."""
    try:
        return BLOCK_TYPES[name]
    except (KeyError, TypeError):
        raise BlockValidationError(
            _("Unknown block type %(type)r; known types: %(known)s.", type=name,
              known=", ".join(BLOCK_TYPES)),
            fields={"block_type": name, "known": list(BLOCK_TYPES)},
        ) from None


def student_view(name: str, block_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The JSON block view a student gets (the API contract "Block views")."""
    return block_type(name).student_view(block_id, fields)
