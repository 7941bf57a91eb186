"""A vertical (unit): one page of components a student works through."""

from __future__ import annotations

from content_store.blocks.base import BlockType
from content_store.blocks.common import title, visibility
from core.i18n import N_

LEAF_TYPES = frozenset({"html", "video", "problem", "code", "peer_review", "discussion",
                        "quiz"})

BLOCK = BlockType(
    name="vertical",
    label=N_("Unit"),
    children=LEAF_TYPES,
    fields=(title(), *visibility()),
)
