"""Copy-on-write editing of one course branch.

A :class:`CourseEditor` starts from an immutable base structure, applies any number of
edits in memory, and produces exactly one new structure document (plus the definitions
whose content changed). The store then writes them and moves the branch pointer once.
Blocks that an edit does not touch are carried over unchanged, edit_info included.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from bson import ObjectId

from content_store.blocks import block_type
from content_store.errors import BlockValidationError
from content_store.keys import BlockKey, check_block_id, new_block_id
from content_store.records import Commit
from content_store.structure import SCHEMA_VERSION, Block, EditInfo, Structure, UserRef
from core.i18n import gettext as _

DefinitionLoader = Callable[[ObjectId], Awaitable[dict[str, Any]]]


class CourseEditor:
    """In-memory edits against one base structure; see module docstring."""

    def __init__(self, base: Structure, load_definition: DefinitionLoader, user: UserRef) -> None:
        self.base = base
        self.user = user
        self.version = ObjectId()  # id of the structure this editor will produce
        self._load_definition = load_definition
        self._blocks: dict[BlockKey, Block] = dict(base.blocks)
        self._ids: dict[str, BlockKey] = {k.id: k for k in base.blocks}
        self._parents: dict[BlockKey, BlockKey] = dict(base.parents)
        self._touched: set[BlockKey] = set()
        self._new_definitions: dict[ObjectId, dict[str, Any]] = {}
        self._content: dict[BlockKey, dict[str, Any]] = {}  # content fields of new/edited blocks
        self.result: Commit | None = None  # set by the store once the edit is committed

    # -- reading the working copy ---------------------------------------------------

    @property
    def changed(self) -> bool:
        return bool(self._touched) or self._blocks.keys() != self.base.blocks.keys()

    def key_for(self, block: BlockKey | str) -> BlockKey:
        key = self._ids.get(block) if isinstance(block, str) else block
        if key is None or key not in self._blocks:
            raise BlockValidationError(_("No block %(block)r in the draft.", block=block),
                                       fields={"block": str(block)})
        return key

    def children(self, block: BlockKey | str) -> list[BlockKey]:
        return list(self._blocks[self.key_for(block)].children)

    def parent(self, key: BlockKey) -> BlockKey | None:
        return self._parents.get(key)

    def subtree(self, key: BlockKey) -> list[BlockKey]:
        out, stack = [], [key]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(self._blocks[current].children))
        return out

    def __contains__(self, block: object) -> bool:
        if isinstance(block, str):
            return block in self._ids
        return block in self._blocks

    async def fields(self, block: BlockKey | str) -> dict[str, Any]:
        """Current settings and content fields of a block (a copy; without defaults)."""
        key = self.key_for(block)
        content = self._content.get(key)
        if content is None:
            content = await self._load_definition(self._blocks[key].definition)
        return copy.deepcopy({**self._blocks[key].fields, **content})

    # -- edits --------------------------------------------------------------------

    async def create_block(self, parent: BlockKey | str, type_name: str,
                           fields: dict[str, Any], *, block_id: str | None = None,
                           position: int | None = None) -> BlockKey:
        """Add a new block under ``parent`` (at ``position``, default last)."""
        kind = block_type(type_name)
        parent_key = self.key_for(parent)
        self._check_child_allowed(parent_key, type_name)
        block_id = check_block_id(block_id) if block_id else new_block_id(type_name)
        if block_id in self._ids:
            raise BlockValidationError(_("Block id %(id)r is already used in this course.",
                                         id=block_id),
                                       fields={"block_type": type_name, "field": "block_id"})
        settings, content = kind.split(kind.clean(fields))
        key = BlockKey(type_name, block_id)
        definition = self._add_definition(type_name, content, previous=None)
        self._blocks[key] = Block(key=key, fields=settings, children=(), definition=definition,
                                  edit_info=EditInfo(self.user, self.base.edited_on, self.version))
        self._ids[block_id] = key
        self._content[key] = content
        self._touched.add(key)
        self._insert_child(parent_key, key, position)
        return key

    async def update_block(self, block: BlockKey | str, fields: dict[str, Any], *,
                           unset: Sequence[str] = (), replace_all: bool = False) -> bool:
        """Change some fields (or, with ``replace_all``, set exactly these fields).

        ``unset`` names fields to return to their default. A new definition is written
        only when content-scope fields actually change. Returns whether anything changed.
        """
        key = self.key_for(block)
        kind = block_type(key.type)
        old = self._blocks[key]
        old_content = self._content.get(key)
        if old_content is None:
            old_content = await self._load_definition(old.definition)
        merged = {} if replace_all else {**old.fields, **old_content}
        merged.update(fields)
        for name in unset:
            merged.pop(name, None)
        settings, content = kind.split(kind.clean(merged))
        definition = old.definition
        if content != old_content:
            definition = self._add_definition(key.type, content, previous=old.definition)
        if settings == old.fields and definition == old.definition:
            return False
        self._blocks[key] = replace(old, fields=settings, definition=definition)
        self._content[key] = content
        self._touched.add(key)
        return True

    def move_block(self, block: BlockKey | str, new_parent: BlockKey | str,
                   position: int | None = None) -> None:
        """Move a block (with its subtree) under another parent, or within its parent."""
        key = self.key_for(block)
        parent_key = self.key_for(new_parent)
        if key == self.base.root:
            raise BlockValidationError(_("The course root cannot be moved."),
                                       fields={"block": key.id})
        if parent_key in self.subtree(key):
            raise BlockValidationError(_("Cannot move %(block)r inside itself.", block=key.id),
                                       fields={"block": key.id, "parent": parent_key.id})
        self._check_child_allowed(parent_key, key.type)
        old_parent = self.parent(key)
        if old_parent is not None:
            self._remove_child(old_parent, key)
        self._insert_child(parent_key, key, position)

    def delete_block(self, block: BlockKey | str) -> list[BlockKey]:
        """Remove a block and its whole subtree; returns the removed keys."""
        key = self.key_for(block)
        if key == self.base.root:
            raise BlockValidationError(_("The course root cannot be deleted."),
                                       fields={"block": key.id})
        removed = self.subtree(key)
        parent = self.parent(key)
        if parent is not None:
            self._remove_child(parent, key)
        for gone in removed:
            del self._blocks[gone]
            del self._ids[gone.id]
            self._parents.pop(gone, None)
            self._touched.discard(gone)
            self._content.pop(gone, None)
        return removed

    def reorder_children(self, parent: BlockKey | str, order: Sequence[BlockKey]) -> None:
        """Put a parent's existing children in the given order (same set of children)."""
        parent_key = self.key_for(parent)
        current = self._blocks[parent_key].children
        if sorted(current) != sorted(order):
            raise BlockValidationError(
                _("A new child order must list exactly the current children."),
                                       fields={"block": parent_key.id})
        if tuple(order) != current:
            self._set_children(parent_key, tuple(order))

    # -- producing the new structure ------------------------------------------------

    def build(self, edited_on: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The new structure document and the new definition documents to insert."""
        blocks = []
        for key, block in self._blocks.items():
            if key in self._touched:
                block = replace(block, edit_info=EditInfo(
                    edited_by=self.user, edited_on=edited_on, update_version=self.version,
                    previous_version=(self.base.blocks[key].edit_info.update_version
                                      if key in self.base.blocks else None)))
            blocks.append(block)
        structure = Structure(
            id=self.version, root=self.base.root, blocks={b.key: b for b in blocks},
            edited_by=self.user, edited_on=edited_on, previous_version=self.base.id,
            original_version=self.base.original_version, schema_version=SCHEMA_VERSION)
        definitions = []
        for def_id, doc in self._new_definitions.items():
            doc = {**doc, "_id": def_id}
            doc["edit_info"] = {**doc["edit_info"], "edited_on": edited_on}
            definitions.append(doc)
        return structure.to_doc(), definitions

    # -- helpers --------------------------------------------------------------------

    def _add_definition(self, type_name: str, content: dict[str, Any],
                        previous: ObjectId | None) -> ObjectId:
        def_id = ObjectId()
        self._new_definitions[def_id] = new_definition_doc(
            type_name, content, self.user, self.base.edited_on, previous)
        if previous in self._new_definitions:
            # Edited twice in one bulk edit: only the final content is worth keeping.
            prior = self._new_definitions.pop(previous)
            self._new_definitions[def_id]["edit_info"]["previous_version"] = (
                prior["edit_info"]["previous_version"])
        return def_id

    def _check_child_allowed(self, parent: BlockKey, child_type: str) -> None:
        block_type(child_type)
        allowed = block_type(parent.type).children
        if child_type not in allowed:
            raise BlockValidationError(
                _("A %(parent)s cannot contain a %(child)s; it may contain: %(allowed)s.",
                  parent=parent.type, child=child_type, allowed=", ".join(sorted(allowed)))
                if allowed else _("A %(parent)s cannot contain a %(child)s.",
                                  parent=parent.type, child=child_type),
                fields={"block_type": child_type, "parent": parent.id,
                        "allowed": sorted(allowed)})

    def _set_children(self, parent: BlockKey, children: tuple[BlockKey, ...]) -> None:
        for old in self._blocks[parent].children:
            if old not in children and self._parents.get(old) == parent:
                del self._parents[old]
        self._parents.update(dict.fromkeys(children, parent))
        self._blocks[parent] = replace(self._blocks[parent], children=children)
        self._touched.add(parent)

    def _insert_child(self, parent: BlockKey, child: BlockKey, position: int | None) -> None:
        children = list(self._blocks[parent].children)
        children.insert(len(children) if position is None else position, child)
        self._set_children(parent, tuple(children))

    def _remove_child(self, parent: BlockKey, child: BlockKey) -> None:
        self._set_children(parent, tuple(c for c in self._blocks[parent].children if c != child))


def new_definition_doc(type_name: str, content: dict[str, Any], user: UserRef,
                       edited_on: datetime, previous: ObjectId | None) -> dict[str, Any]:
    """A definition document (without ``_id``): the content-scope fields of a block."""
    return {"block_type": type_name, "fields": content, "schema_version": SCHEMA_VERSION,
            "edit_info": {"edited_by": user, "edited_on": edited_on,
                          "previous_version": previous}}
