"""Live = reload for grading: a submission's way from queued to graded (or error) on the
student's unit page and progress page and on the staff gradebook; an override; an
extension granted and revoked. Bob, another student, keeps his pages open throughout:
nothing of Ada's may reach them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grading import at_once, extensions, overrides, results, submissions
from models.grading import Submission
from tests.grading_app.conftest import drain
from tests.support.live_reload import covers, verify_action


def grading_pages(cast, unit: str = "unit-one", gradebook: bool = True) -> dict:
    cid = cast.course_id
    pages = {v: [f"/courses/{cid}/units/{unit}", f"/courses/{cid}/progress"]
             for v in (cast.ada, cast.bob)}
    for v in (cast.ta, cast.teacher):
        pages[v] = [f"/courses/{cid}/units/{unit}"]
        if gradebook:
            pages[v].append(f"/courses/{cid}/gradebook")
    return pages


def gradebooks(cast) -> dict:
    return {v: [f"/courses/{cast.course_id}/gradebook"] for v in (cast.ta, cast.teacher)}


# The gradebook's audit tables (extensions in force, the extension and manual-grade audit
# trails) are not live: a reload shows a new row that the open page never gets. Making
# them live needs the revoke form (a plain form with the page's CSRF token) to work from
# a frame shared by all staff first. When it is fixed these xfails fail: drop them.
STAFF_LOGS_NOT_LIVE = pytest.mark.xfail(
    strict=True, raises=AssertionError,
    reason="gradebook audit tables are not updated live (reported; not fixed here)")


@covers("submission.status", "grade.updated")
async def test_submit_and_grade(cast):
    async def submit():  # choice and numeric answers are graded at once, in the app
        await submissions.submit_answer(cast.ada.user, cast.course_id, "number", {"value": 41})
        await at_once.finish(30)
        await drain(cast.queue)

    await verify_action(cast.hub, grading_pages(cast), submit)
    assert (await Submission.get(block_id="number")).status.value == "graded"

    async def submit_and_grade():  # the second attempt, graded in one go
        await submissions.submit_answer(cast.ada.user, cast.course_id, "number", {"value": 42})
        await at_once.finish(30)
        await drain(cast.queue)

    await verify_action(cast.hub, grading_pages(cast), submit_and_grade)


async def _submit_code(cast):
    return await submissions.submit_answer(cast.ada.user, cast.course_id, "code",
                                       {"code": "def double(x):\n    return 2 * x\n"})


# grading/events.py: "Staff cells change only when an attempt ends (queued/grading would
# cost an aggregation per step for a '…' marker; a reload shows it)". The student's
# progress page has the same gap ("grading..." on reload, a dash live). A deliberate trade-off,
# reported; when the markers are pushed these xfails fail: drop them.
@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="queued/grading markers on progress and gradebook are reload-only")
async def test_queued_on_progress_and_gradebook(cast):
    cid = cast.course_id
    pages = {cast.ada: [f"/courses/{cid}/progress"], **gradebooks(cast)}
    await verify_action(cast.hub, pages, lambda: _submit_code(cast))


@covers("submission.status")
async def test_queued_then_a_grading_error(cast):
    pages = grading_pages(cast, "unit-hw")
    made = {}

    async def submit():  # code waits in the queue for a worker
        made["s"] = await _submit_code(cast)

    # Only the unit pages (see test_queued_on_progress_and_gradebook), where the code
    # block's widget reads the same queued or not: this step only checks no frame breaks it.
    await verify_action(cast.hub, {v: [u for u in urls if "/units/" in u]
                                   for v, urls in pages.items()}, submit, expect_change=False)
    assert cast.queue.pending()

    async def fail():  # the attempt is stuck: it ends as an error
        cast.queue._jobs.get_nowait()
        assert await results.give_up(await Submission.get(id=made["s"].id), "Grader stuck")

    await verify_action(cast.hub, pages, fail)


async def _override(cast):
    await overrides.override_grade(cast.ta.user, cast.course_id, cast.ada.user.id, "pick",
                                 1.5, "Partly right on paper")


@covers("grade.updated")
async def test_override(cast):
    frames = await verify_action(cast.hub, grading_pages(cast, gradebook=False),
                                 lambda: _override(cast))
    assert any("1.5" in f for f in frames["ada /courses/course-v1:Test+GR101+2026/progress"])


@STAFF_LOGS_NOT_LIVE
async def test_override_on_the_gradebook(cast):
    await verify_action(cast.hub, gradebooks(cast), lambda: _override(cast))


async def _grant(cast):
    due = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()
    return await extensions.grant_extension(cast.ta.user, cast.course_id, cast.ada.user.id,
                                         "late", due, "Ill")


@covers("grading.deadline")
async def test_extension_granted_and_revoked(cast):
    pages = grading_pages(cast, "unit-two", gradebook=False)
    made = {}

    async def grant():
        made["ext"] = await _grant(cast)

    await verify_action(cast.hub, pages, grant)

    async def revoke():
        await extensions.revoke_extension(cast.ta.user, cast.course_id, made["ext"].id, "Better")

    await verify_action(cast.hub, pages, revoke)


@STAFF_LOGS_NOT_LIVE
async def test_extension_on_the_gradebook(cast):
    async def grant():
        await _grant(cast)

    await verify_action(cast.hub, gradebooks(cast), grant)
