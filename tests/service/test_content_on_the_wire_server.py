"""With MONGO_URL set, the app fixtures keep course content on that MongoDB-wire server, in a
database of the test's own (tests/conftest.py), not in the in-process stand-in."""

from __future__ import annotations

import pytest
from pymongo import MongoClient

from app.application import CoursewireApp
from tests.support.content_databases import MONGO_URL

pytestmark = pytest.mark.skipif(not MONGO_URL, reason="needs MONGO_URL (a MongoDB-wire server)")


async def test_the_app_writes_course_content_to_its_own_database_on_the_server(
        app: CoursewireApp) -> None:
    store = app.runtime.content
    assert store is not None
    name = app.runtime.settings.mongo_db_name
    assert name.startswith("cw_t_")
    await store.create_course("Wire", "W1", "2026", "alice", title="On the wire")
    with MongoClient(MONGO_URL, serverSelectionTimeoutMS=5000) as client:
        found = client[name]["course_index"].find_one({}, {"_id": 0, "org": 1, "number": 1})
    assert found == {"org": "Wire", "number": "W1"}
