"""A chapter (section): a top-level part of the course outline."""

from __future__ import annotations

from content_store.blocks.base import BlockType, Field
from content_store.blocks.common import title, visibility

BLOCK = BlockType(
    name="chapter",
    label="Chapter",
    children=frozenset({"sequential"}),
    fields=(
        title(),
        Field("start", "datetime", "Release date", nullable=True,
              help="Hidden from students before this time; empty to follow the course start."),
        *visibility(),
    ),
)
