"""Assessments: a reviewer's of the response they hold, the author's self-assessment and
staff's (which overrides the peers'). Each may release the author's score
(peer_review.results)."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import Conflict, InvalidState, NotFound
from core.i18n import gettext as _
from courses.service import require_role
from models.courses import Role
from models.peer_review import (
    AssignmentStatus,
    Kind,
    PeerAssignment,
    PeerResponse,
)
from models.users import User
from peer_review import events, leases
from peer_review.blocks import peer_block
from peer_review.queries import my_response, staff_response
from peer_review.results import release_score
from peer_review.scoring import check_assessment


async def reviewers_assignment(user: User, assignment_id: int) -> PeerAssignment:
    """The peer assignment `user` holds (or held) with this id, else NotFound. Routes ask
    this before reading the body: whoever may not assess it is told so whatever they sent."""
    assignment = await PeerAssignment.get_or_none(id=assignment_id, reviewer_id=user.id)
    if assignment is None or assignment.kind != Kind.PEER:
        raise NotFound(_("No assignment %(assignment_id)s.", assignment_id=assignment_id))
    return assignment


async def submit_assessment(user: User, assignment_id: int, scores: object, feedback: object,
                            criterion_feedback: object = None) -> PeerAssignment:
    """A reviewer assesses the response they hold. Conflict if already assessed."""
    assignment = await reviewers_assignment(user, assignment_id)
    if assignment.status == AssignmentStatus.DONE:
        raise Conflict(_("You have already assessed this response."))
    if assignment.status != AssignmentStatus.OPEN:
        raise InvalidState(_("This review is no longer yours: its time ran out or staff "
                             "withdrew the response. Ask for another one."))
    block = await peer_block(assignment.course_id, assignment.block_id)
    checked = check_assessment(block.rubric, scores, feedback, criterion_feedback)
    # One transaction: the assessment, the scores it releases and their events (the outbox).
    async with in_transaction() as conn:
        done = await PeerAssignment.filter(id=assignment.id, status=AssignmentStatus.OPEN
                                           ).using_db(conn).update(
            status=AssignmentStatus.DONE, completed_at=now(), scores=checked.scores,
            criterion_feedback=checked.criterion_feedback, feedback=checked.feedback,
            points=checked.points)
        if not done:
            raise Conflict(_("This review was closed meanwhile."))
        await PeerResponse.filter(id=assignment.response_id).using_db(conn).update(
            received=F("received") + 1)
        await assignment.refresh_from_db(using_db=conn)
        response = await PeerResponse.get(id=assignment.response_id).using_db(conn)
        await release_score(response, block)
        mine = await my_response(user.id, assignment.course_id, assignment.block_id)
        if mine is not None:
            await release_score(mine, block)  # the reviewer may just have done their share
        await events.work_changed(assignment.course_id, assignment.block_id, user.id)
        await events.board_changed(assignment.course_id, assignment.block_id)
    return assignment


async def _upsert_assessment(response: PeerResponse, reviewer_id: int, kind: Kind,
                             checked: Any) -> PeerAssignment:
    values = dict(kind=kind, status=AssignmentStatus.DONE, completed_at=now(),
                  scores=checked.scores, criterion_feedback=checked.criterion_feedback,
                  feedback=checked.feedback, points=checked.points)
    async with in_transaction() as conn:
        row = await PeerAssignment.filter(response_id=response.id, reviewer_id=reviewer_id
                                          ).using_db(conn).first()
        if row is None:
            return await PeerAssignment.create(
                response_id=response.id, reviewer_id=reviewer_id, course_id=response.course_id,
                block_id=response.block_id, leased_at=now(), using_db=conn, **values)
        if row.kind == Kind.PEER and row.status == AssignmentStatus.OPEN:
            await leases.release(row, AssignmentStatus.CANCELLED, conn)
        await PeerAssignment.filter(id=row.id).using_db(conn).update(**values)
        await row.refresh_from_db(using_db=conn)
        return row


async def self_assess(user: User, course_id: str, block_id: str, scores: object,
                      feedback: object, criterion_feedback: object = None) -> PeerAssignment:
    """The optional self-assessment step (shown to the author, not part of the score)."""
    await require_role(user, course_id, Role.STUDENT)
    block = await peer_block(course_id, block_id)
    if not block.self_assessment:
        raise InvalidState(_("This peer review has no self-assessment step."))
    response = await my_response(user.id, course_id, block_id)
    if response is None:
        raise InvalidState(_("Submit your response before assessing it."))
    existing = await PeerAssignment.get_or_none(response_id=response.id, reviewer_id=user.id)
    if existing is not None:
        raise Conflict(_("You have already assessed your own response."))
    checked = check_assessment(block.rubric, scores, feedback, criterion_feedback)
    async with in_transaction():  # the assessment, its score and events commit together
        row = await _upsert_assessment(response, user.id, Kind.SELF, checked)
        await release_score(response, block)
        await events.mine_changed(course_id, block_id, user.id)
    return row


async def staff_assess(actor: User, response_id: int, scores: object, feedback: object,
                       criterion_feedback: object = None) -> PeerAssignment:
    """Course staff assess a response; their assessment overrides the peers' score."""
    response = await staff_response(actor, response_id)
    block = await peer_block(response.course_id, response.block_id)
    checked = check_assessment(block.rubric, scores, feedback, criterion_feedback)
    async with in_transaction():  # the assessment, its score and events commit together
        row = await _upsert_assessment(response, actor.id, Kind.STAFF, checked)
        await release_score(response, block)
        await events.board_changed(response.course_id, response.block_id)
    return row
