"""The outline's unit marks (grading/outline_marks.py) on an open unit page fill in live
when a grade arrives, and equal a fresh load; another student's marks do not move."""

from __future__ import annotations

import re

from grading import at_once, submissions
from tests.grading_app.conftest import drain
from tests.support.live_reload import covers, verify_action


def unit_one_state(html: str) -> str:
    m = re.search(r'id="mark-[^"]*-unit_2done" class="unit-mark" data-state="([\w-]+)"', html)
    assert m, html[:2000]
    return m.group(1)


@covers("grade.updated")
async def test_unit_mark_fills_in_live_when_a_grade_arrives(cast):
    cid = cast.course_id
    unit = f"/courses/{cid}/units/unit-one"
    outline = f"/courses/{cid}/outline"
    assert unit_one_state((await cast.ada.client.get(outline)).text) == "not-started"

    async def submit():
        await submissions.submit_answer(cast.ada.user, cast.course_id, "number", {"value": 42})
        await at_once.finish(30)
        await drain(cast.queue)

    frames = await verify_action(cast.hub, {cast.ada: [unit, f"/courses/{cid}/progress"],
                                            cast.bob: [unit]}, submit)
    assert any("unit-mark" in f and 'hx-swap-oob' in f for f in frames[f"ada {unit}"])
    assert not any("unit-mark" in f for f in frames[f"bob {unit}"])
    assert unit_one_state((await cast.ada.client.get(outline)).text) != "not-started"
    assert unit_one_state((await cast.bob.client.get(outline)).text) == "not-started"
