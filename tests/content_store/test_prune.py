from datetime import timedelta

from content_store import ContentStore
from content_store.pruning import prune_versions

NO_GRACE = timedelta(0)


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
