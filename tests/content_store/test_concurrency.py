import asyncio

import pytest

from content_store import ContentStore, VersionConflict
from core.errors import BadInput, Conflict, NotFound

# Both writers reach the branch pointer's compare-and-swap before either runs it, so they
# really race whatever the server's timing (without it, a slow reply could let one writer
# finish before the other reads the index, and both would rightly succeed).
RACE = ("course_index", "find_one_and_update", 2)


async def test_concurrent_edits_conflict_instead_of_overwriting(store: ContentStore,
                                                                course_id: str):
    """Two editors loaded the same draft and save at the same time: one wins."""
    loaded = (await store.get_course_index(course_id)).draft_version
    results = await asyncio.gather(
        store.update_block(course_id, "intro", {"source": "Alice's text"}, "alice",
                           expected_version=loaded),
        store.update_block(course_id, "intro", {"source": "Bob's text"}, "bob",
                           expected_version=loaded),
        return_exceptions=True)
    conflicts = [r for r in results if isinstance(r, VersionConflict)]
    wins = [r for r in results if not isinstance(r, BaseException)]
    assert len(conflicts) == 1 and len(wins) == 1
    winner = "Alice's text" if results[0] is wins[0] else "Bob's text"
    assert (await store.get_block(course_id, "intro", "draft")).fields["source"] == winner
    err = conflicts[0]
    assert isinstance(err, Conflict) and err.status == 409
    assert err.fields["expected_version"] == loaded
    assert err.fields["actual_version"] == wins[0].version
    assert err.fields["changes"]["changed"] == [{"block": ["html", "intro"], "what": ["content"]}]


async def test_racing_writers_without_expected_version_still_never_overwrite(spy_store,
                                                                             course_id: str):
    """Both read the index before either swaps it: the compare-and-swap catches it."""
    store, _spy = spy_store(interleave=True, hold=RACE)
    results = await asyncio.gather(
        store.update_block(course_id, "intro", {"title": "A"}, "ana"),
        store.update_block(course_id, "more", {"title": "B"}, "ben"),
        return_exceptions=True)
    assert sum(isinstance(r, VersionConflict) for r in results) == 1
    history = await store.version_history(course_id)
    assert len([h for h in history if h.edited_by in ("ana", "ben")]) == 1


async def test_loser_leaves_no_orphan_structure_behind(spy_store, course_id: str):
    store, _spy = spy_store(interleave=True, hold=RACE)
    count_before = await store.structures.count_documents({})
    defs_before = await store.definitions.count_documents({})
    await asyncio.gather(
        store.update_block(course_id, "intro", {"source": "one"}, "alice"),
        store.update_block(course_id, "intro", {"source": "two"}, "bob"),
        return_exceptions=True)
    assert await store.structures.count_documents({}) == count_before + 1
    assert await store.definitions.count_documents({}) == defs_before + 1


async def test_stale_expected_version_is_refused_before_any_write(spy_store, course_id: str):
    store, spy = spy_store()
    stale = (await store.get_course_index(course_id)).draft_version
    await store.update_block(course_id, "intro", {"title": "Newer"}, "alice")
    spy.calls.clear()
    with pytest.raises(VersionConflict) as err:
        await store.delete_block(course_id, "u1", "bob", expected_version=stale)
    assert not [c for c in spy.calls if c[1] not in ("find_one", "find")]
    assert "changed html intro (title)" in err.value.message
    assert len((await store.get_outline(course_id, "draft"))["children"][0]["children"][0][
        "children"]) == 2


async def test_publish_with_stale_expected_version_conflicts(store: ContentStore,
                                                             course_id: str):
    stale = (await store.get_course_index(course_id)).draft_version
    await store.update_block(course_id, "intro", {"title": "Unreviewed"}, "alice")
    with pytest.raises(VersionConflict):
        await store.publish(course_id, "bob", expected_version=stale)
    assert (await store.get_course_index(course_id)).published_version is None


@pytest.mark.parametrize("write", ["update", "publish", "reset", "revert"])
async def test_a_malformed_expected_version_is_bad_input_not_not_found(
        store: ContentStore, course_id: str, write: str):
    index = await store.get_course_index(course_id)
    await store.publish(course_id, "ann")
    calls = {
        "update": lambda: store.update_block(course_id, "course", {"title": "x"}, "ann",
                                             expected_version="nope"),
        "publish": lambda: store.publish(course_id, "ann", expected_version="nope"),
        "reset": lambda: store.reset_branch(course_id, "draft", index.draft_version, "ann",
                                            expected_version="12345"),
        "revert": lambda: store.revert_to_published(course_id, "ann", expected_version="zz"),
    }
    with pytest.raises(BadInput) as err:
        await calls[write]()
    assert not isinstance(err.value, NotFound)
    assert "expected_version" in err.value.fields
