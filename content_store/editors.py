"""Who edited course content, for a person's erasure: every `edited_by` (and the index's
`last_updated_by`) naming them is pointed at their tombstone.

Structures and definitions are immutable for readers, but a user id in them is not content:
rewriting it changes no version, no block and no history order, only whose name the studio
shows. Documents are rewritten one by one (replace_one), which the MongoDB wire servers and
the embedded stand-in all support; this process's caches drop the rewritten documents.
Another process's structure cache keeps the old id until it evicts the entry or restarts
(a bare id with no account behind it: the account row is gone).
"""

from __future__ import annotations

from typing import Any

from content_store.store import ContentStore

_EDITOR_KEYS = ("edited_by", "last_updated_by")


def _rewrite(value: Any, old: int, new: int) -> Any:
    if isinstance(value, list):
        return [_rewrite(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: (new if k in _EDITOR_KEYS and v == old else _rewrite(v, old, new))
                for k, v in value.items()}
    return value


async def replace_editor(store: ContentStore, old: int, new: int) -> int:
    """Point every editor field naming user `old` at `new`; returns documents rewritten."""
    collections = (
        (store.course_index, {"$or": [{"edited_by": old}, {"last_updated_by": old}]}),
        (store.structures, {"$or": [{"edited_by": old}, {"blocks.edit_info.edited_by": old}]}),
        (store.definitions, {"edit_info.edited_by": old}),
    )
    rewritten = 0
    for collection, query in collections:
        async for doc in collection.find(query):
            await collection.replace_one({"_id": doc["_id"]}, _rewrite(doc, old, new))
            store.structure_cache.discard(doc["_id"])
            store.definition_cache.discard(doc["_id"])
            if collection is store.course_index:
                store.forget_index(_course_id(doc))
            rewritten += 1
    return rewritten


def _course_id(index_doc: dict[str, Any]) -> str:
    return f"course-v1:{index_doc['org']}+{index_doc['number']}+{index_doc['run']}"


async def courses_edited_by(store: ContentStore, user_id: int) -> list[str]:
    """The courses whose content `user_id` last changed (their ids)."""
    return [_course_id(d) async for d in
            store.course_index.find({"$or": [{"edited_by": user_id},
                                             {"last_updated_by": user_id}]})]
