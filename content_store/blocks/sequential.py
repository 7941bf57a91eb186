"""A sequential (subsection): a lesson or an assignment, graded by its assignment type."""

from __future__ import annotations

from content_store.blocks.base import BlockType, Field
from content_store.blocks.common import due, title, visibility
from core.i18n import N_

BLOCK = BlockType(
    name="sequential",
    label=N_("Subsection"),
    children=frozenset({"vertical"}),
    fields=(
        title(),
        Field("start", "datetime", N_("Release date"), nullable=True,
              help=N_("Hidden from students before this time; empty to follow the chapter.")),
        *visibility(),
        Field("assignment_type", "title", N_("Assignment type"), nullable=True,
              help=N_("One of the course grading policy's assignment type names; "
                      "empty if ungraded.")),
        due(),
    ),
)
