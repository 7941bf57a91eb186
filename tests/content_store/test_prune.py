from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from bson import ObjectId

from content_store import ContentStore, VersionNotFound
from content_store.pruning import prune_versions

# A cutoff a second ahead: every structure written so far is old enough to prune, even one
# written in the millisecond the prune reads the clock (now_utc is millisecond-truncated, and
# a grace of 0 spares a write stamped at the cutoff itself; CI saw 3 deleted instead of 4).
NO_GRACE = timedelta(seconds=-1)


async def test_prune_keeps_recent_history_and_reclaims_the_rest(store: ContentStore,
                                                                course_id: str):
    for n in range(6):
        await store.update_block(course_id, "intro", {"source": f"Draft {n}"}, "alice")
    before = await store.structures.count_documents({})
    report = await prune_versions(store, course_id, keep=2, grace=NO_GRACE)
    assert report.structures_deleted == before - 3  # head + 2 ancestors survive
    assert report.definitions_deleted >= 1 and report.bytes_reclaimed > 0
    history = await store.version_history(course_id)
    assert len(history) == 3 and history[-1].earlier_history_pruned
    assert (await store.get_block(course_id, "intro", "draft")).fields["source"] == "Draft 5"


async def test_prune_keeps_what_published_and_reruns_still_use(store: ContentStore,
                                                               course_id: str):
    await store.publish(course_id, "alice")
    rerun = await store.clone_course(course_id, "Coursewire", "T101", "2027", "alice")
    for n in range(4):
        await store.update_block(course_id, "intro", {"source": f"Draft {n}"}, "alice")
    await prune_versions(store, course_id, keep=0, grace=NO_GRACE)
    assert (await store.get_block(course_id, "intro")).fields["source"] == "Hello *there*"
    assert (await store.get_block(rerun.course_id, "intro", "draft")).fields["source"] == (
        "Hello *there*")
    assert (await store.get_block(course_id, "intro", "draft")).fields["source"] == "Draft 3"


async def test_prune_spares_structures_written_moments_ago(store: ContentStore, course_id: str):
    for n in range(3):
        await store.update_block(course_id, "intro", {"source": f"Draft {n}"}, "alice")
    report = await prune_versions(store, course_id, keep=0)  # default grace period
    assert report.structures_deleted == 0


async def test_dry_run_reports_without_deleting(store: ContentStore, course_id: str):
    await store.update_block(course_id, "intro", {"source": "x"}, "alice")
    before = await store.structures.count_documents({})
    report = await prune_versions(store, course_id, keep=0, grace=NO_GRACE, dry_run=True)
    assert report.structures_deleted > 0
    assert await store.structures.count_documents({}) == before


class DeleteHook:
    """A structures collection that runs ``before()`` just ahead of each delete, the way
    a writer in another request could slip in between pruning's checks and its delete."""

    def __init__(self, inner: Any, before: Callable[[], Awaitable[None]]) -> None:
        self._inner, self._before = inner, before

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        await self._before()
        return await self._inner.delete_many(*args, **kwargs)


async def test_a_reset_that_lands_during_a_prune_keeps_its_version(store: ContentStore,
                                                                   course_id: str):
    old = (await store.get_course_index(course_id)).draft_version
    for n in range(4):
        await store.update_block(course_id, "intro", {"source": f"Draft {n}"}, "alice")
    resetter = ContentStore(store.db)  # another request, in this or another process
    done: list[str] = []

    async def reset_now() -> None:
        if not done:
            done.append((await resetter.reset_branch(course_id, "draft", old, "bob")).version)

    store.structures = DeleteHook(store.structures, reset_now)
    report = await prune_versions(store, course_id, keep=0, grace=NO_GRACE)
    assert done == [str(old)]
    assert await store.db["structures"].find_one({"_id": ObjectId(old)}) is not None
    fresh = ContentStore(store.db)
    assert (await fresh.get_course_index(course_id)).draft_version == str(old)
    assert (await fresh.get_block(course_id, "intro", "draft")).fields["source"] == (
        "Hello *there*")
    assert report.structures_deleted == 4  # the first version and three edits, not `old`


async def test_a_reset_to_a_version_pruned_meanwhile_fails_and_moves_nothing(
        store: ContentStore, course_id: str):
    old = (await store.get_course_index(course_id)).draft_version
    for n in range(3):
        await store.update_block(course_id, "intro", {"source": f"Draft {n}"}, "alice")
    await store.get_structure(old)  # this process still has it cached
    await prune_versions(ContentStore(store.db), course_id, keep=0, grace=NO_GRACE)
    head = (await store.get_course_index(course_id)).draft_version
    with pytest.raises(VersionNotFound):
        await store.reset_branch(course_id, "draft", old, "bob")
    assert (await store.get_course_index(course_id)).draft_version == head
    assert (await store.get_block(course_id, "intro", "draft")).fields["source"] == "Draft 2"


async def test_a_branch_moved_onto_a_doomed_version_is_never_left_dangling(
        store: ContentStore, course_id: str):
    old = (await store.get_course_index(course_id)).draft_version
    for n in range(3):
        await store.update_block(course_id, "intro", {"source": f"Draft {n}"}, "alice")

    async def raw_pointer_move() -> None:  # a writer that does not pin (e.g. older code)
        await store.db["course_index"].update_one(
            {"org": "Coursewire", "number": "T101", "run": "2026"},
            {"$set": {"versions.published": ObjectId(old)}})

    store.structures = DeleteHook(store.structures, raw_pointer_move)
    await prune_versions(store, course_id, keep=0, grace=NO_GRACE)
    fresh = ContentStore(store.db)
    assert (await fresh.get_block(course_id, "intro", "published")).fields["source"] == (
        "Hello *there*")
