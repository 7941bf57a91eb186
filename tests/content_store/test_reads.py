import asyncio

import pytest

from content_store import ContentStore, VersionConflict
from content_store.cache import LRUCache
from core.templating import render


async def test_outline_from_cached_structure_does_not_query_mongo(spy_store, course_id: str):
    store, spy = spy_store()
    await store.publish(course_id, "alice")
    version = (await store.get_course_index(course_id)).published_version
    warm = await store.get_outline(course_id, version=version)
    spy.calls.clear()
    for _ in range(3):
        assert await store.get_outline(course_id, version=version) == warm
    assert spy.calls == []


async def test_rendering_a_cached_published_outline_reads_nothing_from_mongo(
        spy_store, course_id: str):
    store, spy = spy_store()
    await store.publish(course_id, "alice")
    warm = await store.get_outline(course_id)  # by branch: where `published` points now
    spy.calls.clear()
    for _ in range(3):
        outline = await store.get_outline(course_id)
        html = render("content/_outline.html", course_id=course_id, outline=outline, oob=False)
        assert outline == warm and "Unit one" in html
    assert spy.calls == []


async def test_a_publish_shows_at_once_in_the_process_that_made_it(spy_store, course_id: str):
    store, _spy = spy_store(index_cache_seconds=3600)  # only invalidation can refresh it
    await store.publish(course_id, "alice")
    assert (await store.get_outline(course_id))["title"] == "Testing"
    await store.update_block(course_id, "course", {"title": "Renamed"}, "alice")
    assert (await store.get_outline(course_id))["title"] == "Testing"  # draft only
    await store.publish(course_id, "alice")
    assert (await store.get_outline(course_id))["title"] == "Renamed"
    await store.revert_to_published(course_id, "alice")
    before = (await store.get_course_index(course_id)).published_version
    await store.update_block(course_id, "course", {"title": "Third"}, "alice")
    await store.publish(course_id, "alice", block="ch1")  # subtree publish moves it too
    await store.reset_branch(course_id, "published", before, "alice")
    assert (await store.get_outline(course_id))["title"] == "Renamed"


async def test_another_process_publish_is_seen_within_the_documented_bound(
        spy_store, course_id: str):
    reader, spy = spy_store(index_cache_seconds=0.2)
    writer = ContentStore(reader.db)  # another app process, or the CLI
    await writer.publish(course_id, "alice")
    assert (await reader.get_outline(course_id))["title"] == "Testing"
    await writer.update_block(course_id, "course", {"title": "From elsewhere"}, "alice")
    await writer.publish(course_id, "alice")
    spy.calls.clear()
    assert (await reader.get_outline(course_id))["title"] == "Testing"  # within the bound
    assert spy.calls == []
    await asyncio.sleep(0.25)
    assert (await reader.get_outline(course_id))["title"] == "From elsewhere"
    reader.forget_index(course_id)  # what hearing the publish event does
    spy.calls.clear()
    await reader.get_outline(course_id)
    assert spy.calls == [("course_index", "find_one")]


async def test_callers_that_need_the_latest_version_still_read_the_index(
        spy_store, course_id: str):
    # Grading (possibly in a worker process) grades against what is published now.
    reader, _spy = spy_store(index_cache_seconds=3600)
    writer = ContentStore(reader.db)
    await writer.publish(course_id, "alice")
    assert (await reader.get_outline(course_id))["title"] == "Testing"  # now cached
    await writer.update_block(course_id, "course", {"title": "Regraded"}, "alice")
    await writer.publish(course_id, "alice")
    assert (await reader.get_outline(course_id))["title"] == "Testing"  # page: bounded
    latest = await reader.get_branch(course_id)
    assert latest.blocks[latest.root].fields["title"] == "Regraded"


async def test_a_lost_race_refreshes_the_cached_pointer(spy_store, course_id: str):
    reader, _spy = spy_store(index_cache_seconds=3600)
    other = ContentStore(reader.db)
    await reader.publish(course_id, "alice")
    stale = (await reader.get_course_index(course_id)).draft_version
    await other.update_block(course_id, "course", {"title": "Theirs"}, "bob")
    await other.publish(course_id, "bob")
    with pytest.raises(VersionConflict):
        await reader.publish(course_id, "alice", expected_version=stale)
    assert (await reader.get_outline(course_id))["title"] == "Theirs"


async def test_block_content_is_served_from_cache_once_warm(spy_store, course_id: str):
    store, spy = spy_store()
    version = (await store.get_course_index(course_id)).draft_version
    await store.get_blocks(course_id, ["intro", "sum", "more"], version=version)
    spy.calls.clear()
    views = await store.get_blocks(course_id, ["intro", "sum", "more"], version=version)
    assert [v.id for v in views] == ["intro", "sum", "more"]
    assert spy.calls == []


async def test_cold_definitions_are_fetched_in_one_query(spy_store, course_id: str):
    store, spy = spy_store()
    version = (await store.get_course_index(course_id)).draft_version
    spy.calls.clear()
    await store.get_blocks(course_id, ["intro", "sum", "more"], version=version)
    assert spy.calls == [("structures", "find_one"), ("definitions", "find")]


async def test_structure_cache_is_bounded(spy_store, make_course):
    store, _spy = spy_store(structure_cache_size=2)
    writer = ContentStore(store.db)
    course_id = await make_course(writer)
    for n in range(5):
        await writer.update_block(course_id, "intro", {"title": f"v{n}"}, "alice")
    for entry in await store.version_history(course_id, limit=6):
        await store.get_structure(entry.version)
    assert len(store.structure_cache) == 2


def test_lru_evicts_the_least_recently_used():
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3
