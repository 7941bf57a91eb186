"""Live = reload for course content: a draft edit on the instructor's studio, and a publish
on everyone's course outline and open unit pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from content_store.connect import current_store
from core import clock
from courseware import authoring, reconcile, releases, service
from tests.support.live_reload import covers, verify_action


@covers("content.draft.updated", "content.published", "content.unit.published")
async def test_edit_then_publish(cast):
    cid = cast.course_id
    outline_and_unit = [f"/courses/{cid}", f"/courses/{cid}/units/unit-one"]
    pages = {v: list(outline_and_unit) for v in cast.everyone}
    pages[cast.teacher].append(f"/courses/{cid}/studio")

    async def edit():
        await authoring.rename_block(cast.teacher.user, cid, "unit-one", "First unit, revised",
                                     None)
        await authoring.rename_block(cast.teacher.user, cid, "number", "Multiply", None)

    await verify_action(cast.hub, pages, edit)

    async def publish():
        await service.publish_course(cast.teacher.user, cid)

    frames = await verify_action(cast.hub, pages, publish)
    assert any("Multiply" in f for f in frames[f"bob /courses/{cid}/units/unit-one"])


@covers("content.released")
async def test_a_chapter_released_at_its_start(cast, monkeypatch):
    """A chapter whose start passes appears on every open outline, as on a reload."""
    cid = cast.course_id
    start = clock.now() + timedelta(hours=1)
    await current_store().update_block(cid, "more", {"start": start.isoformat()},
                                       cast.teacher.user.id)
    await service.publish_course(cast.teacher.user, cid)
    pages = {v: [f"/courses/{cid}", f"/courses/{cid}/units/unit-one"] for v in cast.everyone}

    async def start_passes():
        monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=1))
        await releases.announce_due(set())

    frames = await verify_action(cast.hub, pages, start_passes)
    assert any('data-block="more"' in f for f in frames[f"bob /courses/{cid}"])


@covers("content.published", "content.unit.published")
async def test_a_publish_whose_events_were_lost_reaches_open_pages_by_reconcile(
        cast, monkeypatch):
    """The process dies after the content store's commit, before the events: the next
    reconcile round brings every open page to what a reload shows."""
    cid = cast.course_id
    await authoring.rename_block(cast.teacher.user, cid, "unit-one", "Unit one, again", None)
    pages = {v: [f"/courses/{cid}", f"/courses/{cid}/units/unit-one"] for v in cast.everyone}

    async def died_after_commit(_course_id: str) -> None:
        raise ProcessDied

    async def publish_crash_then_reconcile():
        with monkeypatch.context() as patch:
            patch.setattr(service, "announce_after_commit", died_after_commit)
            with pytest.raises(ProcessDied):
                await service.publish_course(cast.teacher.user, cid)
        assert await reconcile.reconcile_published() == [cid]

    frames = await verify_action(cast.hub, pages, publish_crash_then_reconcile)
    assert any("Unit one, again" in f for f in frames[f"bob /courses/{cid}"])


class ProcessDied(Exception):
    """The process stopped right after the content store's commit."""
