import pytest

from content_store import ContentStore, CourseExists
from content_store.embedded import open_embedded_database


async def test_embedded_database_keeps_courses_across_restarts(tmp_path, make_course):
    db = open_embedded_database(tmp_path)
    store = ContentStore(db)
    await store.ensure_indexes()
    course_id = await make_course(store)
    await store.update_block(course_id, "intro", {"source": "Saved to disk"}, "alice")
    await store.publish(course_id, "alice", block="u1")
    await store.delete_block(course_id, "u2", "alice")
    before = await store.get_course_index(course_id)
    db.close()

    reopened = open_embedded_database(tmp_path)
    again = ContentStore(reopened)
    await again.ensure_indexes()
    assert await again.get_course_index(course_id) == before
    assert (await again.get_block(course_id, "intro")).fields["source"] == "Saved to disk"
    assert await again.get_outline(course_id, "draft") == await store.get_outline(
        course_id, "draft")
    assert len(await again.version_history(course_id)) == len(
        await store.version_history(course_id))
    await again.update_block(course_id, "intro", {"title": "Still writable"}, "bob")
    reopened.close()


async def test_unique_course_index_survives_a_restart(tmp_path):
    db = open_embedded_database(tmp_path)
    store = ContentStore(db)
    await store.ensure_indexes()
    await store.create_course("Coursewire", "PY101", "2026", "alice", title="Python")
    db.close()
    reopened = open_embedded_database(tmp_path)
    indexes = await reopened["course_index"].index_information()
    assert indexes["course_identity"]["unique"] is True
    with pytest.raises(CourseExists):
        await ContentStore(reopened).create_course("Coursewire", "PY101", "2026", "bob",
                                                   title="Dup")
    reopened.close()


def test_a_data_directory_is_used_by_one_process_at_a_time(tmp_path):
    db = open_embedded_database(tmp_path)
    with pytest.raises(RuntimeError, match="already open"):
        open_embedded_database(tmp_path)
    db.close()
    open_embedded_database(tmp_path).close()


async def test_a_torn_last_line_is_ignored(tmp_path, make_course):
    db = open_embedded_database(tmp_path)
    course_id = await make_course(ContentStore(db))
    db.close()
    with (tmp_path / "course_index.jsonl").open("a") as journal:
        journal.write('{"op": "put", "doc": {"_id"')
    reopened = open_embedded_database(tmp_path)
    assert (await ContentStore(reopened).get_course_index(course_id)).course_id == course_id
    reopened.close()
