"""A chapter (section): a top-level part of the course outline."""

from __future__ import annotations

from content_store.blocks.base import BlockType, Field
from content_store.blocks.common import title, visibility
from core.i18n import N_

BLOCK = BlockType(
    name="chapter",
    label=N_("Chapter"),
    children=frozenset({"sequential"}),
    fields=(
        title(),
        Field("start", "datetime", N_("Release date"), nullable=True,
              help=N_("Hidden from students before this time; empty to follow the course start.")),
        *visibility(),
    ),
)
