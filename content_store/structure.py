"""Immutable course structures: the block tree of one version of a course branch.

Stored in the ``structures`` collection as::

    {_id, root: [type, id], schema_version, previous_version, original_version,
     edited_by, edited_on,
     blocks: [{block_type, block_id, fields, children: [[type, id]], definition,
               edit_info: {edited_by, edited_on, previous_version, update_version,
                           source_version}}]}

``blocks`` is a list rather than a dict keyed by ``type+id`` because MongoDB keys may
not contain every character and a list keeps documents schema-stable. In memory a
structure is a :class:`Structure` whose ``blocks`` is a dict keyed by BlockKey.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from bson import ObjectId

from content_store.errors import BlockNotFound
from content_store.keys import BlockKey
from core.i18n import gettext as _

SCHEMA_VERSION = 1
UserRef = int | str | None


def utc(value: datetime | None) -> datetime | None:
    """MongoDB returns naive UTC datetimes unless the client is tz_aware; make them aware."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def now_utc() -> datetime:
    """Now, at MongoDB's millisecond precision, so a cached copy equals a fetched one."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class EditInfo:
    """Who last changed a block and in which structure version."""

    edited_by: UserRef
    edited_on: datetime
    update_version: ObjectId  # the structure in which this block last changed
    previous_version: ObjectId | None = None  # update_version before that change
    source_version: ObjectId | None = None  # draft structure a published copy came from

    def to_doc(self) -> dict[str, Any]:
        return {"edited_by": self.edited_by, "edited_on": self.edited_on,
                "previous_version": self.previous_version,
                "update_version": self.update_version, "source_version": self.source_version}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> EditInfo:
        return cls(edited_by=doc.get("edited_by"), edited_on=utc(doc["edited_on"]),  # type: ignore[arg-type]
                   update_version=doc["update_version"],
                   previous_version=doc.get("previous_version"),
                   source_version=doc.get("source_version"))


@dataclass(frozen=True)
class Block:
    """One block in a structure. ``fields`` holds settings-scope fields only; the
    content-scope fields are in the definition document ``definition`` points at.

    Blocks are shared by every reader of a cached structure: treat ``fields`` as
    read-only (the editor deep-copies before changing anything).
    """

    key: BlockKey
    fields: dict[str, Any]
    children: tuple[BlockKey, ...]
    definition: ObjectId
    edit_info: EditInfo

    def same_content(self, other: Block) -> bool:
        """Equal apart from edit_info: what a student would see is the same."""
        return (self.fields == other.fields and self.children == other.children
                and self.definition == other.definition)

    def to_doc(self) -> dict[str, Any]:
        return {"block_type": self.key.type, "block_id": self.key.id, "fields": self.fields,
                "children": [c.as_list() for c in self.children],
                "definition": self.definition, "edit_info": self.edit_info.to_doc()}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Block:
        return cls(key=BlockKey(doc["block_type"], doc["block_id"]), fields=doc["fields"],
                   children=tuple(BlockKey(t, i) for t, i in doc["children"]),
                   definition=doc["definition"], edit_info=EditInfo.from_doc(doc["edit_info"]))


@dataclass(frozen=True)
class Structure:
    """One immutable version of a course's block tree."""

    id: ObjectId
    root: BlockKey
    blocks: dict[BlockKey, Block]
    edited_by: UserRef
    edited_on: datetime
    previous_version: ObjectId | None
    original_version: ObjectId
    schema_version: int = SCHEMA_VERSION
    _ids: dict[str, BlockKey] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._ids.update({k.id: k for k in self.blocks})

    @cached_property
    def parents(self) -> dict[BlockKey, BlockKey]:
        return {child: block.key for block in self.blocks.values() for child in block.children}

    def __contains__(self, block: object) -> bool:
        """``"intro" in structure`` (by id) or ``BlockKey("html", "intro") in structure``."""
        return block in self._ids if isinstance(block, str) else block in self.blocks

    def key_for(self, block: BlockKey | str) -> BlockKey:
        """Resolve a block id (ids are unique per course) or check a key; else BlockNotFound."""
        key = self._ids.get(block) if isinstance(block, str) else block
        if key is None or key not in self.blocks:
            shown = block if isinstance(block, str) else f"{block[0]}/{block[1]}"
            raise BlockNotFound(_("No block %(block)r in this version of the course.", block=shown),
                                fields={"block": shown})
        return key

    def block(self, block: BlockKey | str) -> Block:
        return self.blocks[self.key_for(block)]

    def descendants(self, key: BlockKey) -> list[BlockKey]:
        """``key`` and everything under it, parents before children, in outline order."""
        out: list[BlockKey] = []
        stack = [key]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(self.blocks[current].children))
        return out

    def ancestors(self, key: BlockKey) -> list[BlockKey]:
        """Parent, grandparent, ... up to the root."""
        out: list[BlockKey] = []
        while key in self.parents:
            key = self.parents[key]
            out.append(key)
        return out

    def to_doc(self) -> dict[str, Any]:
        return {"_id": self.id, "root": self.root.as_list(),
                "blocks": [b.to_doc() for b in self.blocks.values()],
                "previous_version": self.previous_version,
                "original_version": self.original_version, "edited_by": self.edited_by,
                "edited_on": self.edited_on, "schema_version": self.schema_version}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Structure:
        blocks = [Block.from_doc(b) for b in doc["blocks"]]
        return cls(id=doc["_id"], root=BlockKey(*doc["root"]),
                   blocks={b.key: b for b in blocks}, edited_by=doc.get("edited_by"),
                   edited_on=utc(doc["edited_on"]),  # type: ignore[arg-type]
                   previous_version=doc.get("previous_version"),
                   original_version=doc["original_version"],
                   schema_version=doc.get("schema_version", SCHEMA_VERSION))
