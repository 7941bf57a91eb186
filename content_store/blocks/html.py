"""Text: Markdown source rendered to sanitised HTML."""

from __future__ import annotations

from typing import Any

from content_store.blocks.base import BlockType, Field, markdown_html
from content_store.blocks.common import base_view, title, visibility
from core.i18n import N_


def _view(block_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {**base_view(block_id, "html", fields), "html": markdown_html(fields["source"])}


BLOCK = BlockType(
    name="html",
    label=N_("Text"),
    body_field="source",
    view=_view,
    fields=(
        title(required=False),
        *visibility(),
        Field("source", "markdown", N_("Text (Markdown)"), required=True, default="",
              scope="content"),
    ),
)
