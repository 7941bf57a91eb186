"""HTML for peer review's live regions (the student's two panels, the staff board), as
pages render them and as out-of-band swaps; and the page topic that re-renders them on
(re)connect."""

from __future__ import annotations

from pathlib import Path

from core.templating import add_template_dir, render
from courses.audience import course_audience
from models.users import User
from peer_review.presenters import Board, StudentView
from peer_review.queries import board_view, student_view
from realtime.topics import Topic

add_template_dir(Path(__file__).parent / "templates")


def page_topic(course_id: str, block_id: str) -> str:
    return f"peer_review:{course_id}/{block_id}"


def work_html(view: StudentView) -> str:
    return render("peer_review/_work.html", view=view, oob=True)


def mine_html(view: StudentView) -> str:
    return render("peer_review/_mine.html", view=view, oob=True)


def board_html(board: Board) -> str:
    return render("peer_review/_board.html", board=board, oob=True)


def _split(key: str) -> tuple[str, str] | None:
    course_id, sep, block_id = key.rpartition("/")
    return (course_id, block_id) if sep and course_id and block_id else None


async def authorize_page(topic: Topic, user: User) -> str | None:
    parts = _split(topic.key)
    return await course_audience(parts[0], user) if parts else None


async def resync_page(topic: Topic, user: User, audience: str) -> str:
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
