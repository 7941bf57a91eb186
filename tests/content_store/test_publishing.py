import pytest

from content_store import ContentStore, CourseNotFound, VersionNotFound
from core.errors import InvalidState


def ids(outline: dict) -> list[str]:
    """Every block id in an outline, in order."""
    return [outline["id"], *(i for child in outline["children"] for i in ids(child))]


async def test_students_see_nothing_until_the_course_is_published(store: ContentStore,
                                                                  course_id: str):
    with pytest.raises(CourseNotFound):
        await store.get_outline(course_id)
    commit = await store.publish(course_id, "alice")
    index = await store.get_course_index(course_id)
    assert index.published_version == index.draft_version == commit.version
    assert ids(await store.get_outline(course_id)) == [
        "course", "ch1", "s1", "u1", "intro", "sum", "u2", "more"]


async def test_draft_edits_stay_invisible_until_published(store: ContentStore, course_id: str):
    await store.publish(course_id, "alice")
    await store.update_block(course_id, "intro", {"source": "Draft only"}, "alice")
    assert (await store.get_block(course_id, "intro")).fields["source"] == "Hello *there*"
    assert await store.has_changes(course_id, "intro")
    assert not await store.has_changes(course_id, "u2")
    await store.publish(course_id, "alice")
    assert (await store.get_block(course_id, "intro")).fields["source"] == "Draft only"
    assert not await store.has_changes(course_id)


async def test_publish_subtree_leaves_other_drafts_unpublished(store: ContentStore,
                                                               course_id: str):
    await store.publish(course_id, "alice")
    await store.update_block(course_id, "intro", {"source": "New intro"}, "alice")
    await store.update_block(course_id, "more", {"source": "New more"}, "alice")
    await store.create_block(course_id, "u1", "html", {"source": "Brand new"}, "alice",
                             block_id="extra")
    commit = await store.publish(course_id, "alice", block="u1")
    assert commit.changed and commit.block is not None and commit.block.id == "u1"
    assert (await store.get_block(course_id, "intro")).fields["source"] == "New intro"
    assert (await store.get_block(course_id, "extra")).fields["source"] == "Brand new"
    assert (await store.get_block(course_id, "more")).fields["source"] == "More text"
    assert not await store.has_changes(course_id, "u1")
    assert await store.has_changes(course_id, "u2")
    assert await store.has_changes(course_id)


async def test_publishing_a_new_unit_brings_its_unpublished_parents_along(
        store: ContentStore, course_id: str):
    await store.publish(course_id, "alice")
    async with store.bulk_edit(course_id, "alice") as edit:
        await edit.create_block("course", "chapter", {"title": "Week 2"}, block_id="ch2")
        await edit.create_block("ch2", "sequential", {"title": "Loops"}, block_id="s2")
        await edit.create_block("s2", "vertical", {"title": "While"}, block_id="w")
        await edit.create_block("s2", "vertical", {"title": "For"}, block_id="f")
    await store.publish(course_id, "alice", block="f")
    published = await store.get_outline(course_id)
    assert ids(published)[-4:] == ["more", "ch2", "s2", "f"]
    assert "w" not in ids(published)


async def test_publishing_a_moved_block_removes_it_from_its_old_published_place(
        store: ContentStore, course_id: str):
    await store.publish(course_id, "alice")
    await store.move_block(course_id, "sum", "u2", "alice")
    await store.publish(course_id, "alice", block="u2")
    assert ids(await store.get_outline(course_id)) == [
        "course", "ch1", "s1", "u1", "intro", "u2", "more", "sum"]


async def test_deleting_in_draft_is_a_pending_change(store: ContentStore, course_id: str):
    await store.publish(course_id, "alice")
    await store.delete_block(course_id, "more", "alice")
    assert await store.has_changes(course_id, "more")
    assert await store.has_changes(course_id, "u2")


async def test_revert_draft_throws_away_unpublished_changes(store: ContentStore, course_id: str):
    with pytest.raises(InvalidState):
        await store.revert_to_published(course_id, "alice")
    await store.publish(course_id, "alice")
    await store.delete_block(course_id, "u1", "alice")
    commit = await store.revert_to_published(course_id, "alice")
    index = await store.get_course_index(course_id)
    assert commit.version == index.published_version == index.draft_version
    assert "intro" in ids(await store.get_outline(course_id, "draft"))


async def test_reset_branch_moves_the_pointer_back_to_an_earlier_version(
        store: ContentStore, course_id: str):
    first = (await store.get_course_index(course_id)).draft_version
    await store.update_block(course_id, "intro", {"title": "Second"}, "alice")
    await store.update_block(course_id, "intro", {"title": "Third"}, "alice")
    await store.reset_branch(course_id, "draft", first, "alice")
    assert (await store.get_block(course_id, "intro", "draft")).title == ""
    assert (await store.get_course_index(course_id)).draft_version == first


async def test_reset_to_another_courses_version_is_refused(store: ContentStore, course_id: str):
    other = await store.create_course("Coursewire", "X1", "2026", "alice", title="Other")
    with pytest.raises(VersionNotFound):
        await store.reset_branch(course_id, "draft", other.draft_version, "alice")


async def test_version_history_says_who_changed_what_and_when(store: ContentStore,
                                                              course_id: str):
    await store.update_block(course_id, "sum", {"max_points": 2}, "bob")
    await store.move_block(course_id, "more", "u1", "carol")
    history = await store.version_history(course_id)
    assert [h.edited_by for h in history[:2]] == ["carol", "bob"]
    assert "changed html more (moved)" in history[0].summary
    assert history[1].summary == "changed problem sum (max_points)"
    assert history[-1].summary == "created the course"
    assert history[0].previous_version == history[1].version
    assert history[0].edited_on >= history[1].edited_on


async def test_rerun_shares_structures_until_it_is_edited(store: ContentStore, course_id: str):
    before = await store.structures.count_documents({})
    rerun = await store.clone_course(course_id, "Coursewire", "T101", "2027", "alice")
    source = await store.get_course_index(course_id)
    assert rerun.draft_version == source.draft_version
    assert await store.structures.count_documents({}) == before
    await store.update_block(rerun.course_id, "intro", {"source": "Updated for 2027"}, "alice")
    assert (await store.get_block(course_id, "intro", "draft")).fields["source"] == "Hello *there*"
    assert (await store.get_block(rerun.course_id, "intro", "draft")).fields["source"] == (
        "Updated for 2027")
