"""Course files in GridFS: the spec's on-disk format, revisions, deletes, failures, and
persistence in embedded mode. With MONGO_URL set these run against a real server, and a
GridFS driver (motor's bucket) reads what we write and the other way round."""

import os

import pytest
from bson import ObjectId

from content_store.assets import BUCKET, CourseAssets
from content_store.embedded import open_embedded_database
from content_store.gridfs_files import CHUNK_SIZE, BytesReader
from core.errors import NotFound, TooLarge

COURSE, OTHER = "course-v1:Coursewire+PY101+2026", "course-v1:Coursewire+PY102+2026"
BIG = bytes(range(256)) * (600 * 4)  # 600 KiB: three chunks


@pytest.fixture
async def assets(content_db) -> CourseAssets:
    files = CourseAssets(content_db)
    await files.ensure_indexes()
    return files


async def read_all(assets: CourseAssets, course_id: str, name: str) -> bytes:
    _, chunks = await assets.open(course_id, name)
    return b"".join([chunk async for chunk in chunks])


class FailingReader:
    """An upload that breaks after its first chunk (a dropped connection, say)."""

    def __init__(self) -> None:
        self.reads = 0

    async def read(self, size: int = -1) -> bytes:
        self.reads += 1
        if self.reads > 1:
            raise OSError("connection reset")
        return b"x" * size


async def test_a_file_larger_than_a_chunk_is_stored_in_gridfs_format(assets, content_db):
    asset = await assets.save(COURSE, "data set.csv", BytesReader(BIG), "text/plain", 7)
    assert (asset.name, asset.size, asset.content_type) == ("data-set.csv", len(BIG), "text/csv")

    files = [d async for d in content_db[f"{BUCKET}.files"].find({})]
    assert len(files) == 1
    doc = files[0]
    assert isinstance(doc["_id"], ObjectId)
    assert doc["length"] == len(BIG) and doc["chunkSize"] == CHUNK_SIZE == 255 * 1024
    assert doc["filename"] == "data-set.csv" and doc["uploadDate"] is not None
    assert doc["metadata"] == {"course_id": COURSE, "content_type": "text/csv",
                               "uploaded_by": 7}
    chunks = [c async for c in content_db[f"{BUCKET}.chunks"].find({}).sort("n", 1)]
    assert [(c["files_id"], c["n"]) for c in chunks] == [(doc["_id"], n) for n in range(3)]
    assert [len(c["data"]) for c in chunks] == [CHUNK_SIZE, CHUNK_SIZE,
                                                len(BIG) - 2 * CHUNK_SIZE]

    _, stream = await assets.open(COURSE, "data-set.csv")
    pieces = [piece async for piece in stream]
    assert len(pieces) == 3 and b"".join(pieces) == BIG


async def test_an_empty_file_round_trips(assets):
    await assets.save(COURSE, "empty.txt", BytesReader(b""), None, 7)
    assert await read_all(assets, COURSE, "empty.txt") == b""


async def test_uploading_the_same_name_keeps_only_the_newest_revision(assets, content_db):
    await assets.save(COURSE, "notes.pdf", BytesReader(BIG), None, 7)
    await assets.save(COURSE, "notes.pdf", BytesReader(b"%PDF-second"), None, 8)
    assert await read_all(assets, COURSE, "notes.pdf") == b"%PDF-second"
    [listed] = await assets.list(COURSE)
    assert (listed.size, listed.uploaded_by) == (len(b"%PDF-second"), 8)
    assert await content_db[f"{BUCKET}.files"].count_documents({}) == 1
    assert await content_db[f"{BUCKET}.chunks"].count_documents({}) == 1


async def test_a_failed_upload_keeps_the_previous_file_and_leaves_no_chunks(
        assets, content_db):
    await assets.save(COURSE, "notes.pdf", BytesReader(b"first"), None, 7)
    with pytest.raises(OSError):
        await assets.save(COURSE, "notes.pdf", FailingReader(), None, 7)
    assert await read_all(assets, COURSE, "notes.pdf") == b"first"
    assert await content_db[f"{BUCKET}.chunks"].count_documents({}) == 1


async def test_a_file_over_the_limit_is_refused_and_the_old_one_kept(content_db):
    assets = CourseAssets(content_db, max_bytes=CHUNK_SIZE + 10)
    await assets.ensure_indexes()
    await assets.save(COURSE, "video.mp4", BytesReader(b"small"), None, 7)
    with pytest.raises(TooLarge, match="limited to"):
        await assets.save(COURSE, "video.mp4", BytesReader(BIG), None, 7)
    assert await read_all(assets, COURSE, "video.mp4") == b"small"
    assert await content_db[f"{BUCKET}.chunks"].count_documents({}) == 1
    await assets.save(COURSE, "exact.bin", BytesReader(b"y" * (CHUNK_SIZE + 10)), None, 7)


async def test_deleting_a_file_removes_it_and_unknown_files_are_not_found(
        assets, content_db):
    await assets.save(COURSE, "gone.png", BytesReader(BIG), None, 7)
    await assets.save(COURSE, "kept.png", BytesReader(b"png"), None, 7)
    await assets.delete(COURSE, "gone.png")
    assert [a.name for a in await assets.list(COURSE)] == ["kept.png"]
    assert await content_db[f"{BUCKET}.chunks"].count_documents({}) == 1
    with pytest.raises(NotFound):
        await assets.open(COURSE, "gone.png")
    with pytest.raises(NotFound):
        await assets.delete(COURSE, "gone.png")


async def test_files_belong_to_their_course(assets):
    await assets.save(COURSE, "logo.png", BytesReader(b"one"), None, 7)
    await assets.save(OTHER, "logo.png", BytesReader(b"two"), None, 7)
    await assets.save(OTHER, "a.txt", BytesReader(b"a"), None, 7)
    assert [a.name for a in await assets.list(OTHER)] == ["a.txt", "logo.png"]
    assert await read_all(assets, COURSE, "logo.png") == b"one"
    await assets.delete(OTHER, "logo.png")
    assert await read_all(assets, COURSE, "logo.png") == b"one"


async def test_gridfs_indexes_are_created_idempotently(assets, content_db):
    await assets.ensure_indexes()
    chunks = await content_db[f"{BUCKET}.chunks"].index_information()
    files = await content_db[f"{BUCKET}.files"].index_information()
    assert chunks["files_id_1_n_1"]["key"] == [("files_id", 1), ("n", 1)]
    assert chunks["files_id_1_n_1"]["unique"] is True
    assert files["filename_1_uploadDate_1"]["key"] == [("filename", 1), ("uploadDate", 1)]


async def test_files_persist_across_an_embedded_restart(tmp_path):
    db = open_embedded_database(tmp_path)
    assets = CourseAssets(db)
    await assets.ensure_indexes()
    await assets.save(COURSE, "big.bin", BytesReader(BIG), None, 7)
    await assets.save(COURSE, "replaced.txt", BytesReader(b"old"), None, 7)
    await assets.save(COURSE, "replaced.txt", BytesReader(b"new"), None, 8)
    await assets.save(COURSE, "deleted.txt", BytesReader(b"bye"), None, 7)
    await assets.delete(COURSE, "deleted.txt")
    before = await assets.list(COURSE)
    db.close()

    reopened = open_embedded_database(tmp_path)
    again = CourseAssets(reopened)
    await again.ensure_indexes()
    assert await again.list(COURSE) == before
    assert await read_all(again, COURSE, "big.bin") == BIG
    assert await read_all(again, COURSE, "replaced.txt") == b"new"
    assert await reopened[f"{BUCKET}.chunks"].count_documents({}) == 4
    indexes = await reopened[f"{BUCKET}.chunks"].index_information()
    assert indexes["files_id_1_n_1"]["unique"] is True
    reopened.close()


requires_server = pytest.mark.skipif(not os.environ.get("MONGO_URL"),
                                     reason="needs a real MongoDB (MONGO_URL)")


@requires_server
async def test_a_gridfs_driver_reads_what_we_write(assets, content_db):
    from motor.motor_asyncio import AsyncIOMotorGridFSBucket

    await assets.save(COURSE, "big.bin", BytesReader(BIG), None, 7)
    bucket = AsyncIOMotorGridFSBucket(content_db, bucket_name=BUCKET)
    download = await bucket.open_download_stream_by_name("big.bin")
    assert await download.read() == BIG
    assert download.length == len(BIG) and download.chunk_size == CHUNK_SIZE
    assert download.metadata == {"course_id": COURSE,
                                 "content_type": "application/octet-stream",
                                 "uploaded_by": 7}


@requires_server
async def test_we_read_what_a_gridfs_driver_writes(assets, content_db):
    from motor.motor_asyncio import AsyncIOMotorGridFSBucket

    bucket = AsyncIOMotorGridFSBucket(content_db, bucket_name=BUCKET)
    await bucket.upload_from_stream("driver.png", BIG, metadata={
        "course_id": COURSE, "content_type": "image/png", "uploaded_by": 9})
    [listed] = await assets.list(COURSE)
    assert (listed.name, listed.size, listed.content_type) == ("driver.png", len(BIG),
                                                                "image/png")
    assert await read_all(assets, COURSE, "driver.png") == BIG
