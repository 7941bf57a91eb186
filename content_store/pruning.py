"""Reclaiming space from old course versions (for ``coursewire prune-versions``).

Every edit adds a structure, so a busy course accumulates history. Pruning keeps, for
each branch of every course that shares this course's lineage (its reruns share
structures), the branch head and ``keep`` ancestors, and deletes the rest of the
lineage's structures plus definitions no remaining structure uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
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
    kept = await _reachable(store, lineage, keep)
    cutoff = now_utc() - grace
    doomed: list[dict[str, Any]] = []
    survivors: set[ObjectId] = set()
    async for doc in store.structures.find({"original_version": lineage}):
        edited_on = doc["edited_on"]
        recent = (edited_on.replace(tzinfo=cutoff.tzinfo) if edited_on.tzinfo is None
                  else edited_on) >= cutoff
        if doc["_id"] in kept or recent:
            survivors.update(b["definition"] for b in doc["blocks"])
        else:
            doomed.append(doc)
    used_by_doomed = {b["definition"] for doc in doomed for b in doc["blocks"]}
    unused = list(used_by_doomed - survivors)
    definitions: list[dict[str, Any]] = []
    if unused:
        definitions = [d async for d in store.definitions.find({"_id": {"$in": unused}})]
    size = sum(len(bson.encode(d)) for d in [*doomed, *definitions])
    if not dry_run:
        # Other processes may keep serving pruned versions from their caches; that is
        # harmless (the content is immutable and no branch points at it).
        for doc in doomed:
            store.structure_cache.discard(doc["_id"])
        for doc in definitions:
            store.definition_cache.discard(doc["_id"])
        if doomed:
            await store.structures.delete_many({"_id": {"$in": [d["_id"] for d in doomed]}})
        if definitions:
            await store.definitions.delete_many(
                {"_id": {"$in": [d["_id"] for d in definitions]}})
    return PruneReport(len(doomed), len(definitions), size)


async def _reachable(store: ContentStore, lineage: ObjectId, keep: int) -> set[ObjectId]:
    """Heads of every branch of every course in the lineage, plus ``keep`` ancestors each."""
    heads: set[ObjectId] = set()
    async for index in store.course_index.find({"lineage": lineage}, {"versions": 1}):
        heads.update(head for head in index["versions"].values() if head is not None)
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
