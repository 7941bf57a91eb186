"""A scheduled allocation's run time out of range is a 400 naming the field, never an
OverflowError (500)."""

from __future__ import annotations

import pytest

from core.errors import BadInput
from peer_review import allocation
from tests.peer_review.conftest import BLOCK, COURSE_ID, course  # noqa: F401 (fixture)
from tests.trust.test_datetime_grading import OUT_OF_RANGE


@pytest.mark.parametrize("run_at", OUT_OF_RANGE)
async def test_allocation_run_at_out_of_range_is_bad_input(course, run_at):  # noqa: F811
    with pytest.raises(BadInput) as caught:
        await allocation.schedule_allocation(course.ta, COURSE_ID, BLOCK, run_at, 2, True)
    assert "run_at" in caught.value.fields
