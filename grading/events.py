"""Grading events: one definition each of topic, audiences and template. This module only
publishes: the JSON comes from grading.presenters, the HTML from grading.fragments.

- `submission.status` on `user:<id>` (self: JSON + the block's submit widget, and the
  progress region when an attempt ends in `error`) and
  `submission:<id>` (JSON) at every step; on `course:<id>:staff` (staff: JSON + the
  gradebook cell) when an attempt ends in `error`.
- `grade.updated` on `user:<id>` (self: JSON + the progress region) and
  `course:<id>:staff` (staff: JSON + the student's gradebook cells and totals).
- `grading.deadline` on `user:<id>` (self: the block's widget only, no JSON) when an
  extension changes what the student's block shows.
Resync: `user:<id>` re-renders the widgets of recently active blocks; `grades:<course>`
(a topic nothing is published on: pages join it to be resynced) re-renders the
progress region (students) or every gradebook cell (staff).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

from core.event_types import EventType
from core.ids import parse_id
from courses.audience import STAFF, course_audience
from courses.visibility import require_visible
from grading.block_state import BlockHistory, block_state, state_from
from grading.course_blocks import course_layout
from grading.fragments import gradebook_cells_html, progress_html, widget_html
from grading.gradebook import grades_for, student_grade
from grading.presenters import GradePayload, SubmissionPayload, grade_json, submission_json
from grading.released import as_student
from models.courses import Membership, Role
from models.grading import Status, Submission
from models.users import User
from realtime.publish import in_every_language, publish
from realtime.topics import Topic


class DeadlinePayload(TypedDict):
    """Nothing: the frame carries only the student's widget (API clients get no data)."""


EVENT_TYPES = (
    EventType("submission.status", "An attempt was queued, started grading, or ended "
              "(graded or error); sent at every step.", SubmissionPayload,
              ("user:me", "submission:<id>", "course:<course_id>:staff")),
    EventType("grade.updated", "A student's score for a block changed (a grade, a manual "
              "grade) and with it their course grade.", GradePayload,
              ("user:me", "course:<course_id>:staff")),
    EventType("grading.deadline", "An extension changed a student's due date or attempts "
              "for a block; the page's widget is swapped, there is no JSON data.",
              DeadlinePayload, ("user:me",)),
)

RECENT = timedelta(hours=24)
RESYNC_WIDGETS = 30


# (topic, event, data_by_audience, html): the arguments of `publish`, with the HTML as
# the function that renders it (synchronously, everything read before), called once per
# language (realtime.publish.in_every_language); None for a JSON-only event.
Publication = tuple[str, str, dict[str, Any], Callable[[], dict[str, str]] | None]


async def publish_in_order(publications: list[Publication]) -> None:
    """The events of one change, one after another. (Logging them in one INSERT and
    sending them concurrently was tried: frames reached students later under load.)"""
    for topic, event, data, html in publications:
        if html is None:
            await publish(topic, event, data)
        else:
            await publish(topic, event, data, in_every_language(html))


async def submission_changed(submission: Submission, *, graded: bool = False,
                             history: BlockHistory | None = None,
                             user: User | None = None) -> None:
    """Publish a submission's new status (and, when graded, the new grade).

    With the block's `history` (read once by the grading path) the widget is rendered
    from `submission` as held in memory; without it, the block's state is read afresh.
    `user` (the student) spares a read for the grade.
    """
    uid, cid, block_id = submission.user_id, submission.course_id, submission.block_id
    data = submission_json(submission)
    status = (f"submission:{submission.id}", "submission.status", {"*": data}, None)
    # Staff cells change only when an attempt ends (queued/grading would cost an
    # aggregation per step for a "…" marker; a reload shows it).
    ended = graded or submission.status == Status.ERROR
    if ended:
        layout, grade = await student_grade(cid, uid, layout=history.layout if history
                                            else None, user=user)
        if history:
            # The override as of the grade just read, so widget and progress agree.
            score = grade.blocks.get(block_id)
            history = replace(history, override_points=score.points if score and
                              score.overridden else None)
    state = state_from(history, submission) if history else await block_state(uid, cid,
                                                                              block_id)
    widget: Publication = (f"user:{uid}", "submission.status", {"self": data},
                           lambda: {"self": widget_html(state, oob=True)})
    if not ended:
        await publish_in_order([widget, status])
        return
    shown_layout, shown = await as_student(layout, grade)
    # A block withheld from students since (or a staff member's attempt at one) sends the
    # student nothing: its id and title stay off their sockets.
    mine = [widget] if block_id in shown.blocks else []
    if not graded:
        # An error ends the attempt: the student's progress drops its "grading…" marker.
        mine = [(*widget[:3], lambda: {"self": widget_html(state, oob=True)
                                       + progress_html(shown_layout, shown, oob=True)})
                ] if mine else []
        await publish_in_order([*mine, status, (
            f"course:{cid}:staff", "submission.status", {"staff": data},
            lambda: {"staff": gradebook_cells_html(layout, grade, [block_id])})])
        return
    gdata = grade_json(grade, submission, block_id)
    if mine:
        mine.append((f"user:{uid}", "grade.updated", {"self": gdata},
                     lambda: {"self": progress_html(shown_layout, shown, oob=True)}))
    await publish_in_order([
        *mine,
        status,
        (f"course:{cid}:staff", "grade.updated", {"staff": gdata},
         lambda: {"staff": gradebook_cells_html(layout, grade)}),
    ])


async def block_state_changed(user_id: int, course_id: str, block_id: str, *,
                              graded: bool = False) -> None:
    """An extension or a manual grade changed what a student's block shows."""
    state = await block_state(user_id, course_id, block_id)
    if not graded:
        # Only the page changes (the due date shown); no JSON event for API clients.
        await publish(f"user:{user_id}", "grading.deadline", {},
                      in_every_language(lambda: {"self": widget_html(state, oob=True)}))
        return
    layout, grade = await student_grade(course_id, user_id)
    gdata = grade_json(grade, state.latest, block_id)
    gdata["course_id"] = course_id
    shown_layout, shown = await as_student(layout, grade)
    mine: list[Publication] = [
        (f"user:{user_id}", "grade.updated", {"self": gdata},
         lambda: {"self": widget_html(state, oob=True)
                  + progress_html(shown_layout, shown, oob=True)}),
    ] if block_id in shown.blocks else []  # a grade set on a withheld block: staff only
    await publish_in_order([
        *mine,
        (f"course:{course_id}:staff", "grade.updated", {"staff": gdata},
         lambda: {"staff": gradebook_cells_html(layout, grade)}),
    ])


# -- topics and resync ------------------------------------------------------------------

async def _authorize_submission(topic: Topic, user: User) -> str | None:
    submission_id = parse_id(topic.key)  # "submission:<enormous id>" is denied, not a crash
    if submission_id is None:
        return None
    row = await Submission.filter(id=submission_id).values_list("user_id", "course_id")
    if not row:
        return None
    owner, course_id = row[0]
    if owner == user.id:
        return "self"
    return STAFF if await course_audience(course_id, user) == STAFF else None


async def _authorize_grades(topic: Topic, user: User) -> str | None:
    return await course_audience(topic.key, user)


async def _resync_widgets(topic: Topic, user: User, _audience: str) -> str:
    since = datetime.now(UTC) - RECENT
    rows = await Submission.filter(user_id=user.id, submitted_at__gte=since).order_by(
        "-id").limit(200).values_list("course_id", "block_id")
    seen: list[tuple[str, str]] = []
    for key in rows:
        if key not in seen:
            seen.append(key)
    parts = []
    for course_id, block_id in seen[:RESYNC_WIDGETS]:
        try:
            await require_visible(user, course_id, block_id)  # withheld since: nothing
            parts.append(widget_html(await block_state(user.id, course_id, block_id), oob=True))
        except Exception:  # unpublished since: nothing to show for it
            continue
    return "".join(parts)


async def _resync_grades(topic: Topic, user: User, audience: str) -> str:
    if audience == "staff":
        layout = await course_layout(topic.key)
        members = await Membership.filter(course_id=topic.key, role=Role.STUDENT
                                          ).prefetch_related("user")
        grades = await grades_for(layout, [m.user for m in members])
        return "".join(gradebook_cells_html(layout, g) for g in grades)
    layout, grade = await student_grade(topic.key, user.id)
    return progress_html(*await as_student(layout, grade), oob=True)
