"""The course outline tree served by ``GET /api/v1/courses/{course_id}/outline``.

Built from the structure alone (titles are settings fields), so a cached structure
renders an outline without any database access.
"""

from __future__ import annotations

from typing import Any

from content_store.keys import BlockKey
from content_store.structure import Structure


def build_outline(structure: Structure, root: BlockKey | None = None) -> dict[str, Any]:
    """``{id, type, title, children: [...]}`` for ``root`` (default the course)."""

    def node(key: BlockKey) -> dict[str, Any]:
        block = structure.blocks[key]
        return {"id": key.id, "type": key.type, "title": block.fields.get("title") or "",
                "children": [node(child) for child in block.children]}

    return node(root or structure.root)
