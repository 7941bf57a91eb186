"""Peer review over HTTP: the student page and its htmx forms, the staff board, the JSON
API ("Peer review" in the API contract). Each route reads the request, calls one service,
renders."""

from __future__ import annotations

from starlette.routing import Route

from peer_review.api_routes import (
    api_allocation,
    api_assessment,
    api_board,
    api_cancel,
    api_file,
    api_group,
    api_next,
    api_open,
    api_result,
    api_self_assessment,
    api_staff_assessment,
)
from peer_review.staff_routes import (
    allocation_form,
    board_page,
    cancel_form,
    response_page,
    staff_assessment_form,
)
from peer_review.student_routes import (
    assessment_form,
    next_form,
    open_form,
    response_form,
    self_assessment_form,
    student_page,
    unit_panel,
)

_PAGE = "/courses/{course_id}/peer-review/{block_id}"


_API = "/api/v1/peer-review"


routes = [
    Route(_PAGE, student_page),
    Route(_PAGE + "/panel", unit_panel),
    Route(_PAGE + "/response", response_form, methods=["POST"]),
    Route(_PAGE + "/next", next_form, methods=["POST"]),
    Route(_PAGE + "/self-assessment", self_assessment_form, methods=["POST"]),
    Route(_PAGE + "/board", board_page),
    Route(_PAGE + "/allocation", allocation_form, methods=["POST"]),
    Route(_PAGE + "/responses/{response_id}", response_page),
    Route(_PAGE + "/responses/{response_id}/assessment", staff_assessment_form,
          methods=["POST"]),
    Route(_PAGE + "/responses/{response_id}/cancel", cancel_form, methods=["POST"]),
    Route("/courses/{course_id}/peer-review/assignments/{assignment_id}/assessment",
          assessment_form, methods=["POST"]),
    Route("/courses/{course_id}/peer-review/assignments/{assignment_id}/open", open_form,
          methods=["POST"]),
    Route(_API + "/{course_id}/{block_id}/next", api_next),
    Route(_API + "/{course_id}/{block_id}/result", api_result),
    Route(_API + "/{course_id}/{block_id}/self-assessment", api_self_assessment,
          methods=["POST"]),
    Route(_API + "/{course_id}/{block_id}/board", api_board),
    Route(_API + "/{course_id}/{block_id}/allocation", api_allocation, methods=["PUT"]),
    Route(_API + "/{course_id}/groups/{user_id}", api_group, methods=["PUT"]),
    Route(_API + "/assignments/{assignment_id}/assessment", api_assessment, methods=["POST"]),
    Route(_API + "/assignments/{assignment_id}/file", api_file),
    Route(_API + "/assignments/{assignment_id}/open", api_open, methods=["POST"]),
    Route(_API + "/responses/{response_id}/staff-assessment", api_staff_assessment,
          methods=["POST"]),
    Route(_API + "/responses/{response_id}/cancel", api_cancel, methods=["POST"]),
]
