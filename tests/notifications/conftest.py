"""The forum's cast (a course with an instructor, a TA and three students) for inbox tests."""

from __future__ import annotations

import pytest

from tests.forum.conftest import Cast, make_cast


@pytest.fixture
async def cast(db) -> Cast:
    return await make_cast()


@pytest.fixture
async def app_cast(app) -> Cast:
    return await make_cast()
