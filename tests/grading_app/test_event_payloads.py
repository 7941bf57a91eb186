"""Every event grading publishes is declared in grading.events.EVENT_TYPES, goes to a topic
its declaration names, and its `data` fits the declared payload type, for each audience
(core.event_types.problems). The flows below publish every event grading has."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.event_types import problems
from grading import api, events, extensions, overrides, results, submissions
from models.grading import Submission
from tests.grading_app.conftest import drain

TYPES = {t.name: t for t in events.EVENT_TYPES}
Sent = list[tuple[str, str, dict[str, Any]]]


def misfits(sent: Sent) -> list[str]:
    """What in these (topic, event, data_by_audience) does not match EVENT_TYPES."""
    found = []
    for topic, name, data in sent:
        declared = TYPES.get(name)
        if declared is None:
            found.append(f"{name} on {topic}: not in EVENT_TYPES")
            continue
        kinds = {pattern.split(":")[0] for pattern in declared.topics}
        if topic.split(":")[0] not in kinds:
            found.append(f"{name} on {topic}: not one of its topics {declared.topics}")
        for audience, payload in data.items():
            found += [f"{name} to {audience} on {topic}: {problem}"
                      for problem in problems(declared.payload, payload)]
    return found


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Every publish of grading.events, passed on to the real one."""
    sent: Sent = []
    real = events.publish

    async def recording(topic: str, event: str, data_by_audience: dict[str, Any],
                        html_by_audience: dict[str, str] | None = None) -> int:
        sent.append((topic, event, data_by_audience))
        return await real(topic, event, data_by_audience, html_by_audience)

    monkeypatch.setattr(events, "publish", recording)
    return sent


async def test_every_payload_grading_publishes_fits_its_event_type(course, published):
    # Submitted, graded (queued -> grading -> graded), then graded wrong on a second try.
    await submissions.submit_answer(course.student, course.id, "pick", {"choice": "b"})
    await drain(course.queue)
    # Given up while queued: an error ends the attempt (staff hear of it too).
    stuck = await submissions.submit_answer(course.student, course.id, "number",
                                            {"value": "42"})
    assert await results.give_up(await Submission.get(id=stuck.id), "Grader stuck")
    # An extension (the widget only), a manual grade and clearing it.
    due = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    await extensions.grant_extension(course.ta, course.id, course.student.id, "late", due,
                                     "ill")
    await overrides.override_grade(course.ta, course.id, course.student.id, "pick", "1.5",
                                   "regraded")
    await overrides.override_grade(course.ta, course.id, course.other.id, "pick", "",
                                   "no grade")
    # A block type another domain scores: waiting in its own status, then scored.
    essay = await api.submit_answer(course.student, course.id, "essay", {"text": "Hi"})
    assert await api.score_submission(essay.id, 1, 2, {"summary": "Peer: 1 of 2"})

    assert {name for _, name, _ in published} == set(TYPES)
    assert {topic.split(":")[0] for topic, _, _ in published} == {"user", "submission",
                                                                   "course"}
    assert misfits(published) == []


def test_the_check_names_every_kind_of_misfit():
    sent: Sent = [
        ("user:1", "grade.updated", {"self": {"points": "3"}}),
        ("thread:1", "submission.status", {}),
        ("user:1", "grade.renamed", {"self": {}}),
    ]
    found = misfits(sent)
    assert "grade.updated to self on user:1: data.points: '3' fits none of float | None" in found
    assert "grade.updated to self on user:1: data.block_id: missing" in found
    assert any(f.startswith("submission.status on thread:1: not one of") for f in found)
    assert "grade.renamed on user:1: not in EVENT_TYPES" in found
