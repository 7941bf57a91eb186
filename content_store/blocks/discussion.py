"""Links a unit to a forum topic, so students discuss the unit where they read it."""

from __future__ import annotations

from typing import Any

from content_store.blocks.base import BlockType, Field
from content_store.blocks.common import base_view, title, visibility
from core.i18n import N_


def _view(block_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {**base_view(block_id, "discussion", fields), "topic_id": fields["topic_id"]}


BLOCK = BlockType(
    name="discussion",
    label=N_("Discussion"),
    view=_view,
    fields=(
        title(),
        *visibility(),
        Field("topic_id", "ident", N_("Forum topic id"), required=True,
              help=N_("Threads started here are filed under this topic.")),
    ),
)
