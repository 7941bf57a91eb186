"""A sequential (subsection): a lesson or an assignment, graded by its assignment type."""

from __future__ import annotations

from content_store.blocks.base import BlockType, Field
from content_store.blocks.common import due, title, visibility

BLOCK = BlockType(
    name="sequential",
    label="Subsection",
    children=frozenset({"vertical"}),
    fields=(
        title(),
        Field("start", "datetime", "Release date", nullable=True,
              help="Hidden from students before this time; empty to follow the chapter."),
        *visibility(),
        Field("assignment_type", "title", "Assignment type", nullable=True,
              help="One of the course grading policy's assignment type names; empty if ungraded."),
        due(),
    ),
)
