"""Peer review events: one definition each of topic, audiences and template.

- `peer_review.assigned` on `user:<reviewer>` (self): the assignment JSON, and the
  block's review panel, for work pushed to a waiting reviewer and for each scheduled
  allocation. Never names the author; an attached file is called "response.<ext>".
- `peer_review.result` on `user:<author>` (self): {status, points, per_criterion}, and
  the block's "your response" panel. Never names reviewers.
- `peer_review.work` on `user:<reviewer>` (self, HTML only): the review panel changed
  (assessment recorded, lease expired or withdrawn).
- `peer_review.board` on `course:<id>:staff` (staff): counts, and the progress board.
Resync: pages join `peer_review:<course_id>/<block_id>` (nothing is published there):
students get both panels re-rendered, staff the board.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.templating import add_template_dir, render
from models.peer_review import PeerAssignment, PeerResponse
from models.users import User
from realtime.publish import publish
from realtime.resync import register_resync
from realtime.topics import Topic, course_audience, register_topic_kind

add_template_dir(Path(__file__).parent / "templates")


def page_topic(course_id: str, block_id: str) -> str:
    return f"peer_review:{course_id}/{block_id}"


def reviewer_file_name(original: str) -> str:
    """The name reviewers see for an attached file: "response" plus the original's
    extension. Authors often name files after themselves ("smith_essay.pdf")."""
    stem, dot, ext = original.rpartition(".")
    ext = ext.lower() if dot and stem and ext.isascii() and ext.isalnum() and len(ext) <= 8 \
        else ""
    return f"response.{ext}" if ext else "response"


def assignment_json(assignment: PeerAssignment, response: PeerResponse,
                    block: Any) -> dict[str, Any]:
    """What a reviewer sees of a response: the answer only, never who wrote it."""
    answer: dict[str, Any] = {"text": response.text}
    if response.file_name:
        answer["file"] = {"name": reviewer_file_name(response.file_name),
                          "url": f"/api/v1/peer-review/assignments/{assignment.id}/file"}
    return {"id": assignment.id, "course_id": assignment.course_id,
            "block_id": assignment.block_id, "submission": {"answer": answer},
            "rubric": block.rubric.as_json(),
            "due_at": block.due_at.isoformat() if block.due_at else None,
            "expires_at": assignment.expires_at.isoformat() if assignment.expires_at else None}


def work_html(view: Any) -> str:
    return render("peer_review/_work.html", view=view, oob=True)


def mine_html(view: Any) -> str:
    return render("peer_review/_mine.html", view=view, oob=True)


def board_html(board: Any) -> str:
    return render("peer_review/_board.html", board=board, oob=True)


async def assigned(assignment: PeerAssignment) -> None:
    from peer_review.blocks import peer_block
    from peer_review.views import student_view

    response = await PeerResponse.get(id=assignment.response_id)
    block = await peer_block(assignment.course_id, assignment.block_id)
    view = await student_view(assignment.reviewer_id, assignment.course_id,
                              assignment.block_id)
    await publish(f"user:{assignment.reviewer_id}", "peer_review.assigned",
                  {"self": assignment_json(assignment, response, block)},
                  {"self": work_html(view)})


async def work_changed(course_id: str, block_id: str, reviewer_id: int) -> None:
    from peer_review.views import student_view

    view = await student_view(reviewer_id, course_id, block_id)
    await publish(f"user:{reviewer_id}", "peer_review.work", {},
                  {"self": work_html(view) + mine_html(view)})


async def mine_changed(course_id: str, block_id: str, author_id: int) -> None:
    """The author's own panels changed without a new score (submitted, cancelled)."""
    from peer_review.views import student_view

    view = await student_view(author_id, course_id, block_id)
    await publish(f"user:{author_id}", "peer_review.work", {},
                  {"self": mine_html(view) + work_html(view)})


async def result_changed(response: PeerResponse) -> None:
    from peer_review.views import student_view

    view = await student_view(response.author_id, response.course_id, response.block_id)
    await publish(f"user:{response.author_id}", "peer_review.result", {"self": view.result},
                  {"self": mine_html(view)})


async def board_changed(course_id: str, block_id: str) -> None:
    from peer_review.views import board_summary, board_view

    board = await board_view(course_id, block_id)
    await publish(f"course:{course_id}:staff", "peer_review.board",
                  {"staff": board_summary(board)}, {"staff": board_html(board)})


# -- topic and resync ----------------------------------------------------------------

def _split(key: str) -> tuple[str, str] | None:
    course_id, sep, block_id = key.rpartition("/")
    return (course_id, block_id) if sep and course_id and block_id else None


async def _authorize_page(topic: Topic, user: User) -> str | None:
    parts = _split(topic.key)
    return await course_audience(parts[0], user) if parts else None


async def _resync_page(topic: Topic, user: User, audience: str) -> str:
    from peer_review.views import board_view, student_view

    parts = _split(topic.key)
    if parts is None:
        return ""
    try:
        if audience == "staff":
            return board_html(await board_view(*parts))
        view = await student_view(user.id, *parts)
    except Exception:  # the block was unpublished meanwhile: nothing to refresh
        return ""
    return work_html(view) + mine_html(view)


register_topic_kind("peer_review", _authorize_page)
register_resync("peer_review", _resync_page)
