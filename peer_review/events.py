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
students get both panels re-rendered, staff the board (peer_review.fragments).
Each event's payload is typed in peer_review.payloads and listed in `EVENT_TYPES`.
"""

from __future__ import annotations

from core.event_types import EventType
from models.peer_review import PeerAssignment, PeerResponse
from peer_review.blocks import peer_block
from peer_review.fragments import board_html, mine_html, work_html
from peer_review.payloads import AssignmentPayload, BoardSummary, NoData, ResultPayload
from peer_review.presenters import assignment_json, board_summary
from peer_review.queries import board_view, student_view
from realtime.publish import in_every_language, publish

ASSIGNED = EventType(
    "peer_review.assigned", "A response was handed to the reviewer (pushed work or a "
    "scheduled allocation): the answer and rubric, never the author.",
    payload=AssignmentPayload, topics=("user:me",))
RESULT = EventType(
    "peer_review.result", "The author's score was released or changed; never names "
    "reviewers.", payload=ResultPayload, topics=("user:me",))
WORK = EventType(
    "peer_review.work", "The student's review or response panel changed (assessment "
    "recorded, lease expired or withdrawn, response submitted or cancelled): HTML only.",
    payload=NoData, topics=("user:me",))
BOARD = EventType(
    "peer_review.board", "The staff progress board's counts changed.",
    payload=BoardSummary, topics=("course:<id>:staff",))
EVENT_TYPES = (ASSIGNED, RESULT, WORK, BOARD)


async def assigned(assignment: PeerAssignment) -> None:
    response = await PeerResponse.get(id=assignment.response_id)
    block = await peer_block(assignment.course_id, assignment.block_id)
    view = await student_view(assignment.reviewer_id, assignment.course_id,
                              assignment.block_id)
    await publish(f"user:{assignment.reviewer_id}", ASSIGNED.name,
                  {"self": assignment_json(assignment, response, block)},
                  in_every_language(lambda: {"self": work_html(view)}))


async def work_changed(course_id: str, block_id: str, reviewer_id: int) -> None:
    view = await student_view(reviewer_id, course_id, block_id)
    await publish(f"user:{reviewer_id}", WORK.name, {},
                  in_every_language(lambda: {"self": work_html(view) + mine_html(view)}))


async def mine_changed(course_id: str, block_id: str, author_id: int) -> None:
    """The author's own panels changed without a new score (submitted, cancelled)."""
    view = await student_view(author_id, course_id, block_id)
    await publish(f"user:{author_id}", WORK.name, {},
                  in_every_language(lambda: {"self": mine_html(view) + work_html(view)}))


async def result_changed(response: PeerResponse) -> None:
    view = await student_view(response.author_id, response.course_id, response.block_id)
    await publish(f"user:{response.author_id}", RESULT.name, {"self": view.result},
                  in_every_language(lambda: {"self": mine_html(view)}))


async def board_changed(course_id: str, block_id: str) -> None:
    board = await board_view(course_id, block_id)
    await publish(f"course:{course_id}:staff", BOARD.name,
                  {"staff": board_summary(board)},
                  in_every_language(lambda: {"staff": board_html(board)}))
