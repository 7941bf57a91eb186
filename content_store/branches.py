"""Writes that create courses or move branch pointers; the store's methods call these.

Order of writes, everywhere: new definitions, then the new structure, then the index
compare-and-swap. A reader can therefore never follow a pointer to a missing document;
a lost race leaves only unreferenced documents, which are deleted straight away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from content_store.blocks import block_type
from content_store.editor import CourseEditor, new_definition_doc
from content_store.errors import CourseExists, VersionConflict, VersionNotFound
from content_store.history import diff_structures
from content_store.keys import BlockKey, CourseKey, format_course_id
from content_store.publishing import publish_subtree, subtree_differs
from content_store.records import BRANCHES, DRAFT, PUBLISHED, Commit, CourseIndex
from content_store.structure import Block, EditInfo, Structure, UserRef, now_utc, utc
from core.errors import BadInput, InvalidState
from core.i18n import gettext as _

if TYPE_CHECKING:
    from content_store.store import ContentStore

ROOT_ID = "course"


def check_branch(branch: str) -> str:
    if branch not in BRANCHES:
        raise BadInput(_("Unknown branch %(branch)r; use 'draft' or 'published'.", branch=branch),
                       fields={"branch": branch})
    return branch


def never_published(course_id: str) -> InvalidState:
    return InvalidState(_("%(course)s has never been published.", course=course_id),
                        fields={"course_id": course_id})


async def create_course(store: ContentStore, key: CourseKey, user: UserRef,
                        fields: dict[str, Any]) -> CourseIndex:
    course_id = format_course_id(*key)  # validates the parts
    if await store.course_index.find_one({"org": key.org, "number": key.number, "run": key.run}):
        raise CourseExists(_("%(course)s already exists.", course=course_id),
                           fields={"course_id": course_id})
    kind = block_type("course")
    settings, content = kind.split(kind.clean(fields))
    now = now_utc()
    version, definition = ObjectId(), ObjectId()
    root = BlockKey("course", ROOT_ID)
    structure = Structure(
        id=version, root=root, edited_by=user, edited_on=now, previous_version=None,
        original_version=version,
        blocks={root: Block(key=root, fields=settings, children=(), definition=definition,
                            edit_info=EditInfo(user, now, update_version=version))})
    await store.definitions.insert_one(
        {"_id": definition, **new_definition_doc("course", content, user, now, None)})
    await store.structures.insert_one(structure.to_doc())
    index = {"org": key.org, "number": key.number, "run": key.run,
             "versions": {DRAFT: version, PUBLISHED: None}, "lineage": version, "edited_by": user,
             "edited_on": now, "last_update": now, "last_updated_by": user}
    try:
        await store.course_index.insert_one(index)
    except DuplicateKeyError:
        await discard(store, version, [definition])
        raise CourseExists(_("%(course)s already exists.", course=course_id),
                           fields={"course_id": course_id}) from None
    store.structure_cache.put(version, structure)
    store.remember_index(key, index)
    return CourseIndex.from_doc(index)


async def clone_course(store: ContentStore, source: CourseKey, dest: CourseKey,
                       user: UserRef) -> CourseIndex:
    source_index = await store._index_doc(source)
    course_id = format_course_id(*dest)
    now = now_utc()
    # Structures are immutable, so a rerun can share them; its first edit forks.
    index = {"org": dest.org, "number": dest.number, "run": dest.run,
             "versions": dict(source_index["versions"]), "lineage": source_index["lineage"],
             "edited_by": user, "edited_on": now,
             "last_update": now, "last_updated_by": user, "cloned_from": str(source)}
    try:
        await store.course_index.insert_one(index)
    except DuplicateKeyError:
        raise CourseExists(_("%(course)s already exists.", course=course_id),
                           fields={"course_id": course_id}) from None
    store.remember_index(dest, index)
    return CourseIndex.from_doc(index)


async def commit_draft(store: ContentStore, key: CourseKey, editor: CourseEditor) -> Commit:
    """Write an editor's result: definitions, structure, then the draft pointer (CAS)."""
    course_id, base_id = str(key), editor.base.id
    if not editor.changed:
        return Commit(course_id, DRAFT, str(base_id), str(base_id), changed=False)
    doc, definitions = editor.build(now_utc())
    if definitions:
        await store.definitions.insert_many(definitions)
    await store.structures.insert_one(doc)
    try:
        await store._swap_versions(key, {DRAFT: (base_id, editor.version)}, editor.user)
    except VersionConflict:
        await discard(store, editor.version, [d["_id"] for d in definitions])
        raise
    store.structure_cache.put(editor.version, Structure.from_doc(doc))
    for definition in definitions:
        store.definition_cache.put(definition["_id"], definition["fields"])
    return Commit(course_id, DRAFT, str(editor.version), str(base_id))


async def publish(store: ContentStore, key: CourseKey, user: UserRef,
                  block: BlockKey | str | None, expected: ObjectId | None) -> Commit:
    index = await store._index_doc(key)
    draft_id, published_id = index["versions"][DRAFT], index["versions"].get(PUBLISHED)
    if expected is not None and expected != draft_id:
        raise await conflict(store, key, {DRAFT: expected})
    # With an expected version the caller publishes exactly what they looked at, so a
    # draft edit that lands meanwhile must fail the swap rather than be published unseen.
    also_check = {DRAFT: draft_id} if expected is not None else None
    unchanged = Commit(str(key), PUBLISHED, str(published_id), str(published_id), changed=False)
    if block is None:
        if published_id == draft_id:
            return unchanged
        await store._swap_versions(key, {PUBLISHED: (published_id, draft_id)}, user,
                                   also_check=also_check)
        return Commit(str(key), PUBLISHED, str(draft_id),
                      str(published_id) if published_id else None)
    draft = await store.get_structure(draft_id)
    published = await store.get_structure(published_id) if published_id else None
    root = draft.key_for(block)
    if not subtree_differs(draft, published, root):
        return unchanged
    structure = publish_subtree(draft, published, root, user, now_utc())
    await store.structures.insert_one(structure.to_doc())
    try:
        await store._swap_versions(key, {PUBLISHED: (published_id, structure.id)}, user,
                                   also_check=also_check)
    except VersionConflict:
        await discard(store, structure.id, [])
        raise
    store.structure_cache.put(structure.id, structure)
    return Commit(str(key), PUBLISHED, str(structure.id),
                  str(published_id) if published_id else None, block=root)


async def reset(store: ContentStore, key: CourseKey, branch: str, target: ObjectId,
                user: UserRef, expected: ObjectId | None) -> Commit:
    index = await store._index_doc(key)
    current = index["versions"].get(branch)
    if expected is not None and expected != current:
        raise await conflict(store, key, {branch: expected})
    if current == target:
        return Commit(str(key), branch, str(target), str(target), changed=False)
    wanted = await store.get_structure(target)
    lineage = (await store.get_structure(index["versions"][DRAFT])).original_version
    if wanted.original_version != lineage:
        raise VersionNotFound(_("Version %(version)s does not belong to %(course)s.",
                                version=target, course=key),
                              fields={"version": str(target), "course_id": str(key)})
    # An old version may be what prune_versions is about to delete. Pin it first: a prune
    # spares versions pinned within its grace period and deletes only what it saw
    # unpinned, and if the prune won, the pin finds nothing and no branch is moved.
    pinned = await store.structures.update_one({"_id": target},
                                               {"$set": {"pinned_on": now_utc()}})
    if pinned.matched_count == 0:
        store.structure_cache.discard(target)
        raise VersionNotFound(_("Version %(version)s of %(course)s was pruned.",
                                version=target, course=key),
                              fields={"version": str(target), "course_id": str(key)})
    await store._swap_versions(key, {branch: (current, target)}, user)
    return Commit(str(key), branch, str(target), str(current) if current else None)


async def conflict(store: ContentStore, key: CourseKey,
                   expected: dict[str, ObjectId | None]) -> VersionConflict:
    """Explain a lost compare-and-swap: which branch moved, from what, to what, how."""
    index = await store._index_doc(key)
    branch = next((b for b, v in expected.items() if index["versions"].get(b) != v),
                  next(iter(expected)))
    wanted, actual = expected[branch], index["versions"].get(branch)
    fields: dict[str, Any] = {
        "course_id": str(key), "branch": branch,
        "expected_version": str(wanted) if wanted else None,
        "actual_version": str(actual) if actual else None,
        "last_updated_by": index.get("last_updated_by"),
        "last_update": utc(index["last_update"]).isoformat(),  # type: ignore[union-attr]
    }
    summary = _("it changed concurrently")
    if wanted is not None and actual is not None and wanted != actual:
        try:
            diff = diff_structures(await store.get_structure(wanted),
                                   await store.get_structure(actual))
            fields["changes"] = diff.as_dict()
            summary = diff.summary()
        except VersionNotFound:
            pass
    return VersionConflict(
        _("The %(branch)s version of %(course)s changed since you loaded it (%(changes)s). "
          "Reload it and make your change again.", branch=branch, course=str(key),
          changes=summary), fields=fields)


async def discard(store: ContentStore, version: ObjectId, definitions: list[ObjectId]) -> None:
    """Delete documents written for a write that lost its race (nothing points at them)."""
    await store.structures.delete_one({"_id": version})
    if definitions:
        await store.definitions.delete_many({"_id": {"$in": definitions}})
