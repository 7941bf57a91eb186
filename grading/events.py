"""Grading events: one definition each of topic, audiences and template.

- `submission.status` on `user:<id>` (self: JSON + the block's submit widget) and
  `submission:<id>` (JSON) at every step; on `course:<id>:staff` (staff: JSON + the
  gradebook cell) when an attempt ends in `error`.
- `grade.updated` on `user:<id>` (self: JSON + the progress region) and
  `course:<id>:staff` (staff: JSON + the student's gradebook cells and totals).
Resync: `user:<id>` re-renders the widgets of recently active blocks; `grades:<course>`
(a topic nothing is published on: pages join it to be resynced) re-renders the
progress region (students) or every gradebook cell (staff).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.ids import parse_id
from app.templating import add_template_dir, render
from grading.block_state import BlockHistory, block_state, state_from
from models.grading import Status, Submission
from models.users import User
from realtime.publish import publish
from realtime.resync import register_resync
from realtime.topics import Topic, course_audience, register_topic_kind

add_template_dir(Path(__file__).parent / "templates")

RECENT = timedelta(hours=24)
RESYNC_WIDGETS = 30


def submission_json(s: Submission) -> dict[str, Any]:
    return {
        "id": s.id, "status": s.status.value if isinstance(s.status, Status) else s.status,
        "attempt": s.attempt, "points": s.points, "max_points": s.max_points,
        "feedback": s.feedback, "graded_at": s.graded_at.isoformat() if s.graded_at else None,
        "course_id": s.course_id, "block_id": s.block_id, "user_id": s.user_id,
        "submitted_at": s.submitted_at.isoformat() if s.submitted_at else None,
        "late": s.late, "error_message": s.error_message,
    }


def grade_json(grade: Any, submission: Submission | None, block_id: str) -> dict[str, Any]:
    score = grade.blocks.get(block_id)
    return {
        "course_id": submission.course_id if submission else None, "block_id": block_id,
        "user_id": grade.user_id, "submission_id": submission.id if submission else None,
        "points": score.points if score else None,
        "max_points": score.block.max_points if score else None,
        "overridden": bool(score and score.overridden),
        "feedback": submission.feedback if submission else None,
        "graded_at": submission.graded_at.isoformat() if submission and submission.graded_at
        else None,
        "course_percent": round(grade.percent, 6), "passed": grade.passed,
    }


# (topic, event, data_by_audience, html_by_audience), as the arguments of `publish`.
Publication = tuple[str, str, dict[str, Any], dict[str, str] | None]


async def publish_in_order(publications: list[Publication]) -> None:
    """The events of one change, one after another. (Logging them in one INSERT and
    sending them concurrently was tried: frames reached students later under load.)"""
    for publication in publications:
        await publish(*publication)


def widget_html(state: Any, *, oob: bool) -> str:
    return render("grading/_widget.html", state=state, oob=oob)


def progress_html(layout: Any, grade: Any, *, oob: bool) -> str:
    return render("grading/_progress.html", layout=layout, grade=grade, oob=oob)


def gradebook_cells_html(layout: Any, grade: Any, block_ids: list[str] | None = None) -> str:
    return render("grading/_gradebook_cells.html", layout=layout, grade=grade,
                  block_ids=block_ids)


async def submission_changed(submission: Submission, *, graded: bool = False,
                             history: BlockHistory | None = None,
                             user: User | None = None) -> None:
    """Publish a submission's new status (and, when graded, the new grade).

    With the block's `history` (read once by the grading path) the widget is rendered
    from `submission` as held in memory; without it, the block's state is read afresh.
    `user` (the student) spares a read for the grade.
    """
    from grading.gradebook import student_grade

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
    widget = (f"user:{uid}", "submission.status", {"self": data},
              {"self": widget_html(state, oob=True)})
    if not ended:
        await publish_in_order([widget, status])
    elif not graded:
        await publish_in_order([widget, status, (
            f"course:{cid}:staff", "submission.status", {"staff": data},
            {"staff": gradebook_cells_html(layout, grade, [block_id])})])
    else:
        gdata = grade_json(grade, submission, block_id)
        await publish_in_order([
            widget,
            (f"user:{uid}", "grade.updated", {"self": gdata},
             {"self": progress_html(layout, grade, oob=True)}),
            status,
            (f"course:{cid}:staff", "grade.updated", {"staff": gdata},
             {"staff": gradebook_cells_html(layout, grade)}),
        ])


async def block_state_changed(user_id: int, course_id: str, block_id: str, *,
                              graded: bool = False) -> None:
    """An extension or a manual grade changed what a student's block shows."""
    from grading.gradebook import student_grade

    state = await block_state(user_id, course_id, block_id)
    if not graded:
        # Only the page changes (the due date shown); no JSON event for API clients.
        await publish(f"user:{user_id}", "grading.deadline", {},
                      {"self": widget_html(state, oob=True)})
        return
    layout, grade = await student_grade(course_id, user_id)
    gdata = grade_json(grade, state.latest, block_id)
    gdata["course_id"] = course_id
    await publish_in_order([
        (f"user:{user_id}", "grade.updated", {"self": gdata},
         {"self": widget_html(state, oob=True) + progress_html(layout, grade, oob=True)}),
        (f"course:{course_id}:staff", "grade.updated", {"staff": gdata},
         {"staff": gradebook_cells_html(layout, grade)}),
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
    return "staff" if await course_audience(course_id, user) == "staff" else None


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
            parts.append(widget_html(await block_state(user.id, course_id, block_id), oob=True))
        except Exception:  # unpublished since: nothing to show for it
            continue
    return "".join(parts)


async def _resync_grades(topic: Topic, user: User, audience: str) -> str:
    from grading.gradebook import grades_for, student_grade
    from models.courses import Membership, Role

    if audience == "staff":
        from grading.course_blocks import course_layout

        layout = await course_layout(topic.key)
        members = await Membership.filter(course_id=topic.key, role=Role.STUDENT
                                          ).prefetch_related("user")
        grades = await grades_for(layout, [m.user for m in members])
        return "".join(gradebook_cells_html(layout, g) for g in grades)
    layout, grade = await student_grade(topic.key, user.id)
    return progress_html(layout, grade, oob=True)


register_topic_kind("submission", _authorize_submission)
register_topic_kind("grades", _authorize_grades)
register_resync("user", _resync_widgets)
register_resync("grades", _resync_grades)
