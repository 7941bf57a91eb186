"""Publishing part of a course: building a published structure from draft blocks.

Publishing the whole course is just a pointer move (see ContentStore.publish); these
functions cover publishing one subtree, which needs a new published structure, and
comparing draft with published.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bson import ObjectId

from content_store.keys import BlockKey
from content_store.structure import Block, EditInfo, Structure, UserRef


def subtree_differs(draft: Structure, published: Structure | None, key: BlockKey) -> bool:
    """Whether publishing ``key``'s draft subtree would change what students see."""
    if published is None or key not in published.blocks:
        return True
    if draft.id == published.id:
        return False
    draft_keys = draft.descendants(key)
    if set(draft_keys) != set(published.descendants(key)):
        return True
    return any(not draft.blocks[k].same_content(published.blocks[k]) for k in draft_keys)


def publish_subtree(draft: Structure, published: Structure | None, key: BlockKey,
                    user: UserRef, edited_on: datetime) -> Structure:
    """A new published structure: ``published`` with ``key``'s subtree taken from draft.

    Other draft changes stay unpublished. A block new in draft brings along any
    ancestors that were never published (holding only the published path), as a
    student could not reach it otherwise.
    """
    version = ObjectId()
    blocks: dict[BlockKey, Block] = dict(published.blocks) if published else {}
    if published is not None and key in published.blocks:
        for old in published.descendants(key):
            blocks.pop(old, None)
    subtree = draft.descendants(key)
    moved_in = {k for k in subtree if k in blocks}  # published elsewhere, now under key
    for parent_key, parent in list(blocks.items()):
        if any(c in moved_in or c == key for c in parent.children):
            blocks[parent_key] = _touch(replace(parent, children=tuple(
                c for c in parent.children if c not in moved_in and c != key)),
                user, edited_on, version, draft.id)
    for k in subtree:
        blocks[k] = replace(draft.blocks[k], edit_info=replace(
            draft.blocks[k].edit_info, source_version=draft.id))
    # Attach the subtree under its draft parent, creating unpublished ancestors as needed.
    child = key
    for ancestor in draft.ancestors(key):
        draft_children = draft.blocks[ancestor].children
        if ancestor in blocks:
            current = blocks[ancestor]
            if child not in current.children:
                wanted = [c for c in draft_children if c in current.children or c == child]
                rest = [c for c in current.children if c not in wanted]
                blocks[ancestor] = _touch(replace(current, children=tuple(wanted + rest)),
                                          user, edited_on, version, draft.id)
            break
        blocks[ancestor] = _touch(replace(draft.blocks[ancestor], children=(child,)),
                                  user, edited_on, version, draft.id)
        child = ancestor
    return Structure(id=version, root=draft.root, blocks=blocks, edited_by=user,
                     edited_on=edited_on,
                     previous_version=published.id if published else None,
                     original_version=draft.original_version)


def _touch(block: Block, user: UserRef, edited_on: datetime, version: ObjectId,
           source: ObjectId) -> Block:
    return replace(block, edit_info=EditInfo(
        edited_by=user, edited_on=edited_on, update_version=version,
        previous_version=block.edit_info.update_version, source_version=source))
