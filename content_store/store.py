"""ContentStore: course index -> immutable structures -> definitions, on motor.

Every edit writes a new structure (and new definitions for changed content), then
moves the branch pointer in the course index with a compare-and-swap on the version
it started from. Losing that race raises VersionConflict; nothing is overwritten.

Reads go through in-process LRU caches keyed by structure/definition id: those
documents never change, so the caches need no invalidation.

"Where does this branch point now?" (the course index) is cached too, for the read
paths pages hit (``get_outline``, ``get_branch(cached=True)``: outlines and units), so
a warm render reads nothing from MongoDB. That cache *is* invalidated:

- every index document this process reads fresh or writes (edits, publishes, resets,
  a lost compare-and-swap) replaces the cached one at once, so a page rendered in the
  process that published never shows the old version;
- a write made by *another* process (another app server, a CLI command) is seen once
  the cached pointer is ``index_cache_seconds`` old (default 2 s): that is the bound
  on cross-process staleness. ``index_cache_seconds=0`` turns the cache off.

Writes never trust the cache: they read the index fresh and move it by compare-and-swap.

Why one module of ~390 lines: it is one idea, the store's public interface (what
courseware, grading and the commands call) over the caches all its methods share. The
work is in the modules it delegates to: branches (moving pointers by compare-and-swap),
editor (a draft's changes), history, publishing, outline. What stays here is reading
through the caches and one short method per verb; splitting the class would spread its
callers' one object over mixins.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from content_store import branches
from content_store.blocks import block_type
from content_store.cache import LRUCache
from content_store.editor import CourseEditor
from content_store.errors import CourseNotFound, VersionNotFound
from content_store.fresh_reads import FreshReads
from content_store.history import VersionInfo, diff_structures
from content_store.keys import BlockKey, CourseKey, parse_course_id
from content_store.outline import build_outline
from content_store.publishing import subtree_differs
from content_store.records import DRAFT, PUBLISHED, BlockView, Commit, CourseIndex
from content_store.structure import Structure, UserRef, now_utc
from core.errors import BadInput
from core.i18n import gettext as _

VersionRef = str | ObjectId
INDEX_CACHE_SECONDS = 2.0  # how stale another process's branch move may look here


class ContentStore:
    """Versioned course content in three MongoDB collections.

    ``db`` is an ``AsyncIOMotorDatabase`` (or anything with the same interface, such as
    mongomock-motor's, or the journaling wrapper from content_store.embedded).
    """

    def __init__(self, db: Any, *, structure_cache_size: int = 256,
                 definition_cache_size: int = 4096,
                 index_cache_seconds: float = INDEX_CACHE_SECONDS) -> None:
        self.db = db
        self.course_index = db["course_index"]
        self.structures = db["structures"]
        self.definitions = db["definitions"]
        self.structure_cache: LRUCache[ObjectId, Structure] = LRUCache(structure_cache_size)
        self.definition_cache: LRUCache[ObjectId, dict[str, Any]] = LRUCache(
            definition_cache_size)
        # course -> (index document, monotonic time it was read or written here)
        self.index_cache_seconds = index_cache_seconds
        self._index_cache: dict[CourseKey, tuple[dict[str, Any], float]] = {}
        # Readers' fresh reads of a course's index, coalesced (writes read their own).
        self._fresh_index: FreshReads[CourseKey, dict[str, Any]] = FreshReads(self._index_doc)

    async def ensure_indexes(self) -> None:
        """Create the indexes the store relies on. Idempotent; call once at startup."""
        await self.course_index.create_index(
            [("org", 1), ("number", 1), ("run", 1)], unique=True, name="course_identity")
        # prune_versions finds every structure and every course (reruns share
        # structures) of one lineage: the structure a course was first created with.
        await self.structures.create_index([("original_version", 1)], name="lineage")
        await self.course_index.create_index([("lineage", 1)], name="lineage")

    # -- reading --------------------------------------------------------------------

    async def get_course_index(self, course_id: str | CourseKey) -> CourseIndex:
        """Where the course's draft and published branches point."""
        return CourseIndex.from_doc(await self._fresh_index.get(parse_course_id(course_id)))

    async def get_structure(self, version: VersionRef) -> Structure:
        """One structure version, from the cache when possible."""
        version = as_version(version)
        cached = self.structure_cache.get(version)
        if cached is not None:
            return cached
        doc = await self.structures.find_one({"_id": version})
        if doc is None:
            raise VersionNotFound(_("No course version %(version)s.", version=version),
                                  fields={"version": str(version)})
        structure = Structure.from_doc(doc)
        self.structure_cache.put(version, structure)
        return structure

    async def get_branch(self, course_id: str | CourseKey, branch: str = PUBLISHED,
                         version: VersionRef | None = None, *,
                         cached: bool = False) -> Structure:
        """The structure a branch points at now (or the given version, skipping the index).

        ``cached=True`` (page rendering) may use the in-process branch pointer: exact for
        this process's own writes, at most ``index_cache_seconds`` behind another's.
        The default reads the index, for callers that must act on the latest version
        (grading, writes, other processes' workers).
        """
        if version is not None:
            return await self.get_structure(version)
        key = parse_course_id(course_id)
        doc = await (self._cached_index_doc(key) if cached else self._fresh_index.get(key))
        index = CourseIndex.from_doc(doc)
        head = index.version(branches.check_branch(branch))
        if head is None:
            raise CourseNotFound(_("%(course)s has not been published yet.",
                                   course=index.course_id),
                                 fields={"course_id": index.course_id, "branch": branch})
        return await self.get_structure(head)

    async def get_outline(self, course_id: str | CourseKey, branch: str = PUBLISHED,
                          version: VersionRef | None = None) -> dict[str, Any]:
        """The outline tree ``{id, type, title, children}`` of a branch or version (for
        pages: served from the caches when warm, see ``get_branch(cached=True)``)."""
        return build_outline(await self.get_branch(course_id, branch, version, cached=True))

    async def get_block(self, course_id: str | CourseKey, block: BlockKey | str,
                        branch: str = PUBLISHED, version: VersionRef | None = None) -> BlockView:
        """One block with its definition's content fields merged in and defaults applied."""
        return (await self.get_blocks(course_id, [block], branch, version))[0]

    async def get_blocks(self, course_id: str | CourseKey, blocks: Sequence[BlockKey | str],
                         branch: str = PUBLISHED,
                         version: VersionRef | None = None) -> list[BlockView]:
        """Several blocks of one version, fetching uncached definitions in one query."""
        structure = await self.get_branch(course_id, branch, version)
        found = [structure.block(b) for b in blocks]
        contents = await self.definitions_for([b.definition for b in found])
        return [BlockView(
            id=b.key.id, type=b.key.type,
            fields=block_type(b.key.type).with_defaults({**b.fields, **contents[b.definition]}),
            children=[c.id for c in b.children], definition_id=str(b.definition),
            edited_by=b.edit_info.edited_by, edited_on=b.edit_info.edited_on,
            version=str(structure.id)) for b in found]

    async def get_student_view(self, course_id: str | CourseKey, block: BlockKey | str,
                               branch: str = PUBLISHED,
                               version: VersionRef | None = None) -> dict[str, Any]:
        """The JSON block view a student gets (no answers, no hidden tests)."""
        view = await self.get_block(course_id, block, branch, version)
        return block_type(view.type).student_view(view.id, view.fields)

    async def definition_fields(self, definition: ObjectId) -> dict[str, Any]:
        """A definition's content fields (cached; do not mutate the result)."""
        return (await self.definitions_for([definition]))[definition]

    async def definitions_for(self, ids: Sequence[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
        out: dict[ObjectId, dict[str, Any]] = {}
        missing = []
        for def_id in ids:
            cached = self.definition_cache.get(def_id)
            if cached is None:
                missing.append(def_id)
            else:
                out[def_id] = cached
        if missing:
            async for doc in self.definitions.find({"_id": {"$in": list(set(missing))}}):
                self.definition_cache.put(doc["_id"], doc["fields"])
                out[doc["_id"]] = doc["fields"]
        lost = [str(d) for d in ids if d not in out]
        if lost:
            raise VersionNotFound(_("Course content is missing a definition."),
                                  fields={"definitions": lost})
        return out

    async def has_changes(self, course_id: str | CourseKey,
                          block: BlockKey | str | None = None) -> bool:
        """Whether the draft of ``block``'s subtree (default: the course) is unpublished."""
        index = await self.get_course_index(course_id)
        if index.published_version == index.draft_version:
            return False
        draft = await self.get_structure(index.draft_version)
        published = (await self.get_structure(index.published_version)
                     if index.published_version else None)
        if block is None:
            return subtree_differs(draft, published, draft.root)
        if published is not None and block not in draft:
            published.key_for(block)  # deleted in draft but still published: a change
            return True
        return subtree_differs(draft, published, draft.key_for(block))

    async def version_history(self, course_id: str | CourseKey, branch: str = DRAFT,
                              limit: int = 50) -> list[VersionInfo]:
        """A branch's versions, newest first, each with who, when and what changed."""
        index = await self.get_course_index(course_id)
        head = index.version(branches.check_branch(branch))
        history: list[VersionInfo] = []
        current = await self.get_structure(head) if head else None
        while current is not None and len(history) < limit:
            previous = None
            if current.previous_version is not None:
                try:
                    previous = await self.get_structure(current.previous_version)
                except VersionNotFound:
                    previous = None  # pruned: history ends here
            history.append(VersionInfo(
                version=str(current.id),
                previous_version=str(current.previous_version) if current.previous_version
                else None,
                edited_by=current.edited_by, edited_on=current.edited_on,
                changes=diff_structures(previous, current),
                earlier_history_pruned=current.previous_version is not None and previous is None))
            current = previous
        return history

    # -- editing the draft ------------------------------------------------------------

    async def create_course(self, org: str, number: str, run: str, user: UserRef, *,
                            title: str, fields: dict[str, Any] | None = None) -> CourseIndex:
        """Create a course with just its root block; raises CourseExists if taken."""
        return await branches.create_course(self, CourseKey(org, number, run), user,
                                            {"title": title, **(fields or {})})

    async def clone_course(self, source: str | CourseKey, org: str, number: str, run: str,
                           user: UserRef) -> CourseIndex:
        """A new run sharing the source's structures (no copying; edits diverge later)."""
        return await branches.clone_course(self, parse_course_id(source),
                                           CourseKey(org, number, run), user)

    @asynccontextmanager
    async def bulk_edit(self, course_id: str | CourseKey, user: UserRef, *,
                        expected_version: VersionRef | None = None,
                        ) -> AsyncIterator[CourseEditor]:
        """Many edits, one new structure, one index write::

            async with store.bulk_edit(course_id, user) as edit:
                unit = await edit.create_block("week1", "vertical", {"title": "Loops"})
                await edit.create_block(unit, "html", {"source": "..."})
            edit.result.version

        Leaving the block with an exception discards every edit.
        """
        key = parse_course_id(course_id)
        index = await self._index_doc(key)
        base_id: ObjectId = index["versions"][DRAFT]
        expected = as_expected_version(expected_version)
        if expected is not None and expected != base_id:
            raise await branches.conflict(self, key, {DRAFT: expected})
        editor = CourseEditor(await self.get_structure(base_id), self.definition_fields, user)
        yield editor
        editor.result = await branches.commit_draft(self, key, editor)

    async def edit(self, course_id: str | CourseKey, user: UserRef,
                   apply: Callable[[CourseEditor], Awaitable[Any]], *,
                   expected_version: VersionRef | None = None) -> Commit:
        """Function form of bulk_edit: ``await apply(editor)``, then commit once."""
        async with self.bulk_edit(course_id, user, expected_version=expected_version) as ed:
            await apply(ed)
        assert ed.result is not None  # set when the context manager exits cleanly
        return ed.result

    async def create_block(self, course_id: str | CourseKey, parent: BlockKey | str,
                           type_name: str, fields: dict[str, Any], user: UserRef, *,
                           block_id: str | None = None, position: int | None = None,
                           expected_version: VersionRef | None = None) -> Commit:
        """Add a block under ``parent``; the Commit's ``block`` is the new block's key."""
        created: list[BlockKey] = []

        async def apply(ed: CourseEditor) -> None:
            created.append(await ed.create_block(parent, type_name, fields,
                                                 block_id=block_id, position=position))
        commit = await self.edit(course_id, user, apply, expected_version=expected_version)
        return Commit(**{**commit.__dict__, "block": created[0]})

    async def update_block(self, course_id: str | CourseKey, block: BlockKey | str,
                           fields: dict[str, Any], user: UserRef, *, unset: Sequence[str] = (),
                           expected_version: VersionRef | None = None) -> Commit:
        """Change some of a block's fields (``unset`` returns fields to their defaults)."""
        async def apply(ed: CourseEditor) -> None:
            await ed.update_block(block, fields, unset=unset)
        return await self.edit(course_id, user, apply, expected_version=expected_version)

    async def move_block(self, course_id: str | CourseKey, block: BlockKey | str,
                         new_parent: BlockKey | str, user: UserRef, *,
                         position: int | None = None,
                         expected_version: VersionRef | None = None) -> Commit:
        """Move a block and its subtree under ``new_parent`` at ``position`` (default last)."""
        async def apply(ed: CourseEditor) -> None:
            ed.move_block(block, new_parent, position)
        return await self.edit(course_id, user, apply, expected_version=expected_version)

    async def delete_block(self, course_id: str | CourseKey, block: BlockKey | str,
                           user: UserRef, *, expected_version: VersionRef | None = None) -> Commit:
        """Delete a block and everything under it from the draft."""
        async def apply(ed: CourseEditor) -> None:
            ed.delete_block(block)
        return await self.edit(course_id, user, apply, expected_version=expected_version)

    # -- moving branches --------------------------------------------------------------

    async def publish(self, course_id: str | CourseKey, user: UserRef, *,
                      block: BlockKey | str | None = None,
                      expected_version: VersionRef | None = None) -> Commit:
        """Publish the whole draft (a pointer move) or just ``block``'s subtree."""
        return await branches.publish(self, parse_course_id(course_id), user, block,
                                      as_expected_version(expected_version))

    async def revert_to_published(self, course_id: str | CourseKey, user: UserRef, *,
                                  expected_version: VersionRef | None = None) -> Commit:
        """Throw away unpublished draft changes (the draft points at published again)."""
        key = parse_course_id(course_id)
        index = await self.get_course_index(key)
        if index.published_version is None:
            raise branches.never_published(index.course_id)
        return await branches.reset(self, key, DRAFT, as_version(index.published_version), user,
                                    as_expected_version(expected_version))

    async def reset_branch(self, course_id: str | CourseKey, branch: str, version: VersionRef,
                           user: UserRef, *,
                           expected_version: VersionRef | None = None) -> Commit:
        """Point ``branch`` at any earlier version of this course (history is kept)."""
        return await branches.reset(self, parse_course_id(course_id),
                                    branches.check_branch(branch), as_version(version), user,
                                    as_expected_version(expected_version))

    # -- plumbing shared with branches.py ---------------------------------------------

    async def _index_doc(self, key: CourseKey) -> dict[str, Any]:
        """The index document read fresh from MongoDB (and remembered for readers)."""
        doc = await self.course_index.find_one(
            {"org": key.org, "number": key.number, "run": key.run})
        if doc is None:
            self._index_cache.pop(key, None)
            raise CourseNotFound(_("No course %(course)s.", course=key),
                                 fields={"course_id": str(key)})
        self.remember_index(key, doc)
        return doc

    async def _cached_index_doc(self, key: CourseKey) -> dict[str, Any]:
        """The index document, from the cache while it is younger than the bound."""
        cached = self._index_cache.get(key)
        if cached is not None and time.monotonic() - cached[1] < self.index_cache_seconds:
            return cached[0]
        return await self._fresh_index.get(key)

    def remember_index(self, key: CourseKey, doc: dict[str, Any]) -> None:
        """Cache an index document this process just read or wrote."""
        if self.index_cache_seconds > 0:
            self._index_cache[key] = (doc, time.monotonic())

    def forget_index(self, course_id: str | CourseKey) -> None:
        """Drop a cached branch pointer (e.g. on hearing another process moved it)."""
        self._index_cache.pop(parse_course_id(course_id), None)

    async def _swap_versions(self, key: CourseKey, moves: dict[str, tuple[Any, ObjectId]],
                             user: UserRef, *, also_check: dict[str, Any] | None = None,
                             ) -> CourseIndex:
        """Compare-and-swap branch pointers; VersionConflict if any moved meanwhile."""
        expected = {branch: old for branch, (old, _new) in moves.items()}
        expected.update(also_check or {})
        query: dict[str, Any] = {"org": key.org, "number": key.number, "run": key.run}
        query.update({f"versions.{branch}": old for branch, old in expected.items()})
        now = now_utc()
        changes: dict[str, Any] = {f"versions.{b}": new for b, (_old, new) in moves.items()}
        changes.update(last_update=now, last_updated_by=user)
        doc = await self.course_index.find_one_and_update(
            query, {"$set": changes}, return_document=ReturnDocument.AFTER)
        if doc is None:
            raise await branches.conflict(self, key, expected)  # re-reads (and caches) it
        self.remember_index(key, doc)
        return CourseIndex.from_doc(doc)


def as_version(value: VersionRef) -> ObjectId:
    """A version id to look up: a malformed one names no version, so it is not found."""
    if isinstance(value, ObjectId):
        return value
    if isinstance(value, str) and ObjectId.is_valid(value):
        return ObjectId(value)
    raise VersionNotFound(_("%(value)r is not a course version id.", value=value),
                          fields={"version": str(value)})


def as_expected_version(value: VersionRef | None) -> ObjectId | None:
    """The version a caller says it edited; a malformed one is bad input (400), not 404:
    it is a field of the request, not a thing the request asks for."""
    if value is None or value == "":
        return None
    if isinstance(value, ObjectId):
        return value
    if isinstance(value, str) and ObjectId.is_valid(value):
        return ObjectId(value)
    raise BadInput(_("expected_version %(value)r is not a course version id.", value=value),
                   fields={"expected_version": "Not a version id (24 hex digits)."})
