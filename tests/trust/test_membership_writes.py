"""Issue 12: every membership write goes through courses.membership, which tells every
hub to re-check the member's sockets (a `rights` control message) in the same
transaction as the write: no membership change without it, and none kept if it cannot
be written. Embedded and service mode."""

from __future__ import annotations

import pytest

from content_store.connect import STORE, open_content_store
from courses.membership import write_membership
from courses.service import remove_member, set_member_role
from courseware.service import import_course_folder
from models.courses import Membership, Role
from models.events import Event
from realtime.outbox import CONTROL_TOPIC
from tests.grading_app.conftest import COURSE_ID, write_course
from tests.support.outbox_down import OutboxDown, last_seq, outbox_down
from tests.support.people import course_with, person


async def _rights_messages_since(seq: int, user_id: int) -> int:
    rows = await Event.filter(id__gt=seq, topic=CONTROL_TOPIC, name="rights").values_list(
        "data_by_audience", flat=True)
    return sum(1 for data in rows if data.get("user_id") == user_id)


async def test_adding_changing_and_removing_a_member_each_re_check_their_sockets(db):
    teacher = await person("t@example.org", creator=True)
    ada = await person("ada@example.org")
    course = await course_with(teacher, {})
    for role in ("student", "ta"):
        seq = await last_seq()
        await set_member_role(teacher, course.id, ada.id, role)
        assert await _rights_messages_since(seq, ada.id) == 1
    seq = await last_seq()
    await set_member_role(teacher, course.id, ada.id, "ta")  # no change: nothing to re-check
    assert await _rights_messages_since(seq, ada.id) == 0
    seq = await last_seq()
    await remove_member(teacher, course.id, ada.id)
    assert await _rights_messages_since(seq, ada.id) == 1
    assert not await Membership.exists(user_id=ada.id, course_id=course.id)


async def test_no_membership_change_is_kept_without_its_rights_message(db):
    teacher = await person("t@example.org", creator=True)
    ada = await person("ada@example.org")
    course = await course_with(teacher, {})
    with outbox_down(), pytest.raises(OutboxDown):
        await set_member_role(teacher, course.id, ada.id, "student")
    assert not await Membership.exists(user_id=ada.id, course_id=course.id)
    await write_membership(course.id, ada.id, Role.TA)
    with outbox_down(), pytest.raises(OutboxDown):
        await set_member_role(teacher, course.id, ada.id, "student")
    assert (await Membership.get(user_id=ada.id, course_id=course.id)).role == Role.TA
    with outbox_down(), pytest.raises(OutboxDown):
        await remove_member(teacher, course.id, ada.id)
    assert await Membership.exists(user_id=ada.id, course_id=course.id)


async def test_importing_a_course_makes_its_instructor_through_the_one_writer(db, tmp_path):
    """courseware used to save the membership itself: a student made instructor by an
    import kept sockets authorized as a student."""
    store, close = await open_content_store(db)
    STORE.bind(store)
    try:
        teacher = await person("prof@example.org", creator=True)
        folder = write_course(tmp_path / "course")
        await import_course_folder(None, folder, publish=False, instructor=teacher)
        ada = await person("ada@example.org")
        await set_member_role(teacher, COURSE_ID, ada.id, "student")
        seq = await last_seq()
        await import_course_folder(None, folder, course_id=COURSE_ID, publish=False,
                                   instructor=ada)
        assert (await Membership.get(user_id=ada.id, course_id=COURSE_ID)).role == \
            Role.INSTRUCTOR
        assert await _rights_messages_since(seq, ada.id) == 1
    finally:
        STORE.bind(None)
        close()
