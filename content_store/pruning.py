"""Reclaiming space from old course versions (for ``coursewire prune-versions``).

Every edit adds a structure, so a busy course accumulates history. Pruning keeps, for
each branch of every course that shares this course's lineage (its reruns share
structures), the branch head and ``keep`` ancestors, and deletes the rest of the
lineage's structures plus definitions no remaining structure uses.

Pruning races with writers that point a branch at an old version (reset, revert):
- branch heads are read again right before deleting;
- a reset pins its target (``pinned_on``) before moving the pointer; pruning spares
  versions pinned within the grace period and deletes a version only if it is still as
  pruning read it (a pin that lands in between makes the delete miss it);
- after deleting, heads are checked once more and any head that was deleted is put
  back from the copy in hand, so no branch is ever left pointing at nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import bson
from bson import ObjectId

from content_store.keys import CourseKey, parse_course_id
from content_store.store import ContentStore
from content_store.structure import now_utc


@dataclass(frozen=True)
class PruneReport:
    structures_deleted: int
    definitions_deleted: int
    bytes_reclaimed: int  # BSON size of the deleted documents


async def prune_versions(store: ContentStore, course_id: str | CourseKey, keep: int = 20, *,
                         grace: timedelta = timedelta(minutes=10),
                         dry_run: bool = False) -> PruneReport:
    """Delete structures more than ``keep`` versions behind every branch head.

    ``grace`` protects structures written in the last few minutes: a concurrent edit
    inserts its structure a moment before it moves the branch pointer, and deleting it
    in between would leave the index pointing at nothing.
    """
    if keep < 0:
        raise ValueError("keep must be at least 0")
    index = await store.get_course_index(parse_course_id(course_id))
    lineage = (await store.get_structure(index.draft_version)).original_version
    cutoff = now_utc() - grace
    candidates = [doc async for doc in store.structures.find({"original_version": lineage})]
    kept = await _reachable(store, lineage, keep)  # heads read after the documents
    doomed = [doc for doc in candidates if doc["_id"] not in kept
              and not _recent(doc.get("edited_on"), cutoff)
              and not _recent(doc.get("pinned_on"), cutoff)]
    if dry_run:
        doomed_ids = {doc["_id"] for doc in doomed}
        survivors = [doc for doc in candidates if doc["_id"] not in doomed_ids]
        definitions = await _unused_definitions(store, doomed, survivors)
        return PruneReport(len(doomed), len(definitions), _size([*doomed, *definitions]))
    deleted = await _delete_structures(store, doomed)
    deleted_ids = {doc["_id"] for doc in deleted}
    remaining = [doc for doc in candidates if doc["_id"] not in deleted_ids]
    definitions = await _unused_definitions(store, deleted, remaining)
    if definitions:
        await store.definitions.delete_many({"_id": {"$in": [d["_id"] for d in definitions]}})
    deleted, definitions = await _restore_heads(store, lineage, deleted, definitions)
    # Other processes may keep serving pruned versions from their caches; that is
    # harmless (the content is immutable and no branch points at it).
    for doc in deleted:
        store.structure_cache.discard(doc["_id"])
    for doc in definitions:
        store.definition_cache.discard(doc["_id"])
    return PruneReport(len(deleted), len(definitions), _size([*deleted, *definitions]))


def _recent(when: Any, cutoff: datetime) -> bool:
    if when is None:
        return False
    return (when.replace(tzinfo=cutoff.tzinfo) if when.tzinfo is None else when) >= cutoff


def _size(docs: list[dict[str, Any]]) -> int:
    return sum(len(bson.encode(d)) for d in docs)


async def _delete_structures(store: ContentStore,
                             doomed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Delete each doomed structure only if unchanged since read (i.e. not pinned since);
    returns the ones actually deleted."""
    if not doomed:
        return []
    heads = await _heads(store, doomed[0]["original_version"])
    doomed = [doc for doc in doomed if doc["_id"] not in heads]  # moved here meanwhile
    unpinned = [doc["_id"] for doc in doomed if "pinned_on" not in doc]
    if unpinned:
        await store.structures.delete_many({"_id": {"$in": unpinned},
                                            "pinned_on": {"$exists": False}})
    for doc in doomed:
        if "pinned_on" in doc:  # pinned long ago: delete only if not pinned again
            await store.structures.delete_one({"_id": doc["_id"], "pinned_on": doc["pinned_on"]})
    ids = [doc["_id"] for doc in doomed]
    left = {d["_id"] async for d in store.structures.find({"_id": {"$in": ids}}, {"_id": 1})}
    return [doc for doc in doomed if doc["_id"] not in left]


async def _unused_definitions(store: ContentStore, gone: list[dict[str, Any]],
                              staying: list[dict[str, Any]]) -> list[dict[str, Any]]:
    used = {b["definition"] for doc in staying for b in doc["blocks"]}
    unused = list({b["definition"] for doc in gone for b in doc["blocks"]} - used)
    if not unused:
        return []
    return [d async for d in store.definitions.find({"_id": {"$in": unused}})]


async def _restore_heads(store: ContentStore, lineage: ObjectId,
                         deleted: list[dict[str, Any]], definitions: list[dict[str, Any]],
                         ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Put back any deleted structure a branch points at now (a writer that slipped past
    the checks above), with its definitions; returns what stays deleted."""
    heads = await _heads(store, lineage)
    back = [doc for doc in deleted if doc["_id"] in heads]
    if not back:
        return deleted, definitions
    needed = {b["definition"] for doc in back for b in doc["blocks"]}
    revived = [d for d in definitions if d["_id"] in needed]
    if revived:
        await store.definitions.insert_many(revived)
    await store.structures.insert_many(back)
    return ([doc for doc in deleted if doc not in back],
            [d for d in definitions if d not in revived])


async def _heads(store: ContentStore, lineage: ObjectId) -> set[ObjectId]:
    heads: set[ObjectId] = set()
    async for index in store.course_index.find({"lineage": lineage}, {"versions": 1}):
        heads.update(head for head in index["versions"].values() if head is not None)
    return heads


async def _reachable(store: ContentStore, lineage: ObjectId, keep: int) -> set[ObjectId]:
    """Heads of every branch of every course in the lineage, plus ``keep`` ancestors each."""
    heads = await _heads(store, lineage)
    kept: set[ObjectId] = set()
    for head in heads:
        version: ObjectId | None = head
        for _ in range(keep + 1):
            if version is None:
                break
            kept.add(version)
            doc = await store.structures.find_one({"_id": version}, {"previous_version": 1})
            version = doc.get("previous_version") if doc else None
    return kept
