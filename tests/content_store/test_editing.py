import pytest

from content_store import BlockKey, ContentStore
from content_store.errors import BlockNotFound, BlockValidationError, CourseExists
from core.errors import BadInput


async def test_new_course_has_a_root_block_and_no_published_version(store: ContentStore):
    index = await store.create_course("Coursewire", "PY101", "2026", "alice", title="Python")
    assert index.course_id == "course-v1:Coursewire+PY101+2026"
    assert index.published_version is None
    outline = await store.get_outline(index.course_id, "draft")
    assert outline == {"id": "course", "type": "course", "title": "Python", "children": []}


async def test_creating_the_same_course_twice_is_a_conflict(store: ContentStore):
    await store.create_course("Coursewire", "PY101", "2026", "alice", title="Python")
    with pytest.raises(CourseExists):
        await store.create_course("Coursewire", "PY101", "2026", "bob", title="Again")


async def test_every_edit_writes_a_new_structure_and_leaves_the_old_one_intact(
        store: ContentStore, course_id: str):
    before = await store.get_course_index(course_id)
    commit = await store.update_block(course_id, "intro", {"title": "Welcome"}, "bob")
    assert commit.previous_version == before.draft_version != commit.version
    old = await store.get_block(course_id, "intro", "draft", version=before.draft_version)
    new = await store.get_block(course_id, "intro", "draft")
    assert old.title == "" and new.title == "Welcome"
    assert new.edited_by == "bob" and new.version == commit.version


async def test_settings_change_reuses_the_definition_and_content_change_makes_a_new_one(
        store: ContentStore, course_id: str):
    first = await store.get_block(course_id, "intro", "draft")
    await store.update_block(course_id, "intro", {"title": "Welcome"}, "bob")
    renamed = await store.get_block(course_id, "intro", "draft")
    assert renamed.definition_id == first.definition_id
    await store.update_block(course_id, "intro", {"source": "Hello *everyone*"}, "bob")
    rewritten = await store.get_block(course_id, "intro", "draft")
    assert rewritten.definition_id != first.definition_id
    assert rewritten.fields["source"] == "Hello *everyone*"


async def test_an_edit_that_changes_nothing_writes_nothing(store: ContentStore, course_id: str):
    before = await store.get_course_index(course_id)
    commit = await store.update_block(course_id, "intro", {"source": "Hello *there*"}, "bob")
    assert not commit.changed and commit.version == before.draft_version


async def test_unset_returns_a_field_to_its_default(store: ContentStore, course_id: str):
    await store.update_block(course_id, "sum", {"max_attempts": 3}, "bob")
    assert (await store.get_block(course_id, "sum", "draft")).fields["max_attempts"] == 3
    await store.update_block(course_id, "sum", {}, "bob", unset=["max_attempts"])
    assert (await store.get_block(course_id, "sum", "draft")).fields["max_attempts"] is None


async def test_move_block_changes_parent_and_position(store: ContentStore, course_id: str):
    await store.move_block(course_id, "sum", "u2", "bob", position=0)
    outline = await store.get_outline(course_id, "draft")
    units = outline["children"][0]["children"][0]["children"]
    assert [c["id"] for c in units[0]["children"]] == ["intro"]
    assert [c["id"] for c in units[1]["children"]] == ["sum", "more"]


async def test_moving_a_block_inside_itself_is_refused(store: ContentStore, course_id: str):
    async with store.bulk_edit(course_id, "bob") as edit:
        await edit.create_block("ch1", "sequential", {"title": "Nested?"}, block_id="s2")
    with pytest.raises(BlockValidationError):
        await store.move_block(course_id, "ch1", "ch1", "bob")


async def test_delete_block_removes_its_whole_subtree(store: ContentStore, course_id: str):
    await store.delete_block(course_id, "u1", "bob")
    for gone in ("u1", "intro", "sum"):
        with pytest.raises(BlockNotFound):
            await store.get_block(course_id, gone, "draft")
    assert (await store.get_block(course_id, "more", "draft")).fields["source"] == "More text"


async def test_bulk_edit_makes_one_structure_and_one_index_write(spy_store, course_id: str):
    store, spy = spy_store()
    before = await store.get_course_index(course_id)
    spy.calls.clear()
    async with store.bulk_edit(course_id, "bob") as edit:
        unit = await edit.create_block("s1", "vertical", {"title": "Unit three"})
        for n in range(5):
            await edit.create_block(unit, "html", {"source": f"Part {n}"})
        await edit.update_block("intro", {"title": "Hi"})
        edit.delete_block("u2")
    writes = [c for c in spy.calls if c[1] not in ("find_one", "find")]
    assert writes == [("definitions", "insert_many"), ("structures", "insert_one"),
                      ("course_index", "find_one_and_update")]
    assert edit.result.previous_version == before.draft_version
    history = await store.version_history(course_id, limit=1)
    assert "added vertical" in history[0].summary and "removed vertical u2" in history[0].summary


async def test_a_failed_bulk_edit_changes_nothing(store: ContentStore, course_id: str):
    before = await store.get_course_index(course_id)
    with pytest.raises(BlockValidationError):
        async with store.bulk_edit(course_id, "bob") as edit:
            await edit.create_block("u1", "html", {"source": "fine"})
            await edit.create_block("u1", "html", {"source": "x", "colour": "red"})
    assert (await store.get_course_index(course_id)).draft_version == before.draft_version


async def test_unknown_fields_are_rejected_with_the_field_named(store: ContentStore,
                                                                course_id: str):
    with pytest.raises(BlockValidationError) as err:
        await store.update_block(course_id, "intro", {"colour": "red"}, "bob")
    assert isinstance(err.value, BadInput)
    assert err.value.fields["field"] == "colour" and err.value.fields["block_type"] == "html"
    assert "colour" in err.value.message


async def test_unknown_block_types_are_rejected(store: ContentStore, course_id: str):
    with pytest.raises(BlockValidationError) as err:
        await store.create_block(course_id, "u1", "flash_game", {}, "bob")
    assert err.value.fields["block_type"] == "flash_game"
    assert "problem" in err.value.fields["known"]


async def test_blocks_only_go_where_the_outline_allows(store: ContentStore, course_id: str):
    with pytest.raises(BlockValidationError) as err:
        await store.create_block(course_id, "ch1", "problem", {
            "title": "Loose", "kind": "numeric", "prompt": "?", "answer": {"value": 1}}, "bob")
    assert "cannot contain" in err.value.message


async def test_block_ids_are_unique_across_types(store: ContentStore, course_id: str):
    with pytest.raises(BlockValidationError):
        await store.create_block(course_id, "u1", "html", {"source": "x"}, "bob",
                                 block_id="sum")


async def test_created_block_key_is_returned(store: ContentStore, course_id: str):
    commit = await store.create_block(course_id, "u2", "discussion",
                                      {"title": "Talk", "topic_id": "week-1"}, "bob")
    assert commit.block is not None and commit.block.type == "discussion"
    assert (await store.get_block(course_id, commit.block, "draft")).fields["topic_id"] == "week-1"
    assert isinstance(commit.block, BlockKey)
