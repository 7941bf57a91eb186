from content_store import ContentStore
from content_store.cache import LRUCache


async def test_outline_from_cached_structure_does_not_query_mongo(spy_store, course_id: str):
    store, spy = spy_store()
    await store.publish(course_id, "alice")
    version = (await store.get_course_index(course_id)).published_version
    warm = await store.get_outline(course_id, version=version)
    spy.calls.clear()
    for _ in range(3):
        assert await store.get_outline(course_id, version=version) == warm
    assert spy.calls == []
    # Without a version only the small index document is read, never the structure.
    await store.get_outline(course_id)
    assert spy.calls == [("course_index", "find_one")]


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
