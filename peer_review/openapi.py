"""The peer review endpoints' part of the OpenAPI document (API.md, "Peer review")."""

from __future__ import annotations

from typing import Any

from app.openapi import _COURSE_ID, _DT, _I, _S, _obj, _op

_N = {"type": "number"}
_NN = {"type": ["number", "null"]}
_BLOCK_ID = {"name": "block_id", "in": "path", "required": True, "schema": _S}
_ID = {"in": "path", "required": True, "schema": _I}
RUBRIC = _obj(["criteria"], criteria={"type": "array", "items": _obj(
    ["name", "label", "options"], name=_S, label=_S,
    feedback={"enum": ["optional", "required", "disabled"]},
    options={"type": "array", "items": _obj(["name", "label", "points"], name=_S, label=_S,
                                            points=_N)})})
ASSIGNMENT = _obj(
    ["id", "submission", "rubric", "due_at"], id=_I, course_id=_S, block_id=_S,
    submission=_obj(["answer"], answer=_obj(["text"], text=_S, file=_obj(
        ["name", "url"], name=_S, url=_S))),
    rubric=RUBRIC, due_at={"type": ["string", "null"], "format": "date-time"},
    expires_at={"type": ["string", "null"], "format": "date-time"})
ASSESSMENT_IN = _obj(["scores"], scores={"type": "object", "description":
                                         "{criterion name: option name}"},
                     feedback=_S, criterion_feedback={"type": "object", "description":
                                                      "{criterion name: text}"})
ASSESSMENT = _obj(["id", "status"], id=_I, status=_S, points=_NN, completed_at=_DT)
RESULT = _obj(
    ["status", "points", "per_criterion"],
    status={"enum": ["waiting_for_your_reviews", "waiting_for_self_assessment",
                     "waiting_for_peer_reviews", "graded", "cancelled"]},
    points=_NN, max_points=_N,
    per_criterion={"type": ["array", "null"], "items": _obj(
        ["name", "points", "max_points"], name=_S, label=_S, points=_N, max_points=_N,
        feedback={"type": "array", "items": _S})},
    feedback={"type": ["array", "null"], "items": _S,
              "description": "The reviewers' overall comments, unattributed (once graded)"},
    reviews_received=_I, reviews_required=_I, reviews_given=_I, must_grade=_I)
BOARD = _obj(["responses", "graded", "short_of_graded_by", "waiting", "stuck"],
             responses=_I, graded=_I, short_of_graded_by=_I, waiting=_I, stuck=_I,
             cancelled=_I, waiting_reviewers={"type": "array"},
             stuck_reviewers={"type": "array"}, short={"type": "array"})
_BLOCK = [_COURSE_ID, _BLOCK_ID]

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/peer-review/{course_id}/{block_id}/next": {
        "parameters": _BLOCK,
        "get": _op("The caller's assignment (their open lease again, or the fairest "
                   "eligible response, leased). 204: none yet; the caller is waiting and "
                   "gets peer_review.assigned on user:me", (200, ASSIGNMENT), (404, 422)),
    },
    "/api/v1/peer-review/assignments/{assignment_id}/assessment": {
        "parameters": [{"name": "assignment_id", **_ID}],
        "post": _op("Assess the response of an assignment", (201, ASSESSMENT),
                    (400, 404, 409, 422), ASSESSMENT_IN),
    },
    "/api/v1/peer-review/{course_id}/{block_id}/result": {
        "parameters": _BLOCK,
        "get": _op("The author's result (peer_review.result on user:me when it changes)",
                   (200, RESULT), (404,)),
    },
    "/api/v1/peer-review/{course_id}/{block_id}/self-assessment": {
        "parameters": _BLOCK,
        "post": _op("Assess your own response (blocks with self_assessment)",
                    (201, ASSESSMENT), (400, 404, 409, 422), ASSESSMENT_IN),
    },
    "/api/v1/peer-review/{course_id}/{block_id}/board": {
        "parameters": _BLOCK,
        "get": _op("Staff progress board (peer_review.board on course:<id>:staff)",
                   (200, BOARD), (403, 404)),
    },
    "/api/v1/peer-review/{course_id}/{block_id}/allocation": {
        "parameters": _BLOCK,
        "put": _op("Schedule random allocation (staff)",
                   (200, _obj(["run_at", "reviews_per_response"], run_at=_DT,
                              reviews_per_response=_I, exclude_same_group={"type": "boolean"})),
                   (400, 403, 404),
                   _obj(["reviews_per_response"], run_at=_DT, reviews_per_response=_I,
                        exclude_same_group={"type": "boolean"})),
    },
    "/api/v1/peer-review/{course_id}/groups/{user_id}": {
        "parameters": [_COURSE_ID, {"name": "user_id", **_ID}],
        "put": _op("Set a student's review group (staff); empty group removes it",
                   (200, _obj(["user_id"], user_id=_I, group={"type": ["string", "null"]})),
                   (400, 403, 404), _obj([], group={"type": ["string", "null"]})),
    },
    "/api/v1/peer-review/assignments/{assignment_id}/open": {
        "parameters": [{"name": "assignment_id", **_ID}],
        "post": _op("Open an assignment pushed to you: its short first lease becomes the "
                    "full lease", (200, ASSIGNMENT), (404,)),
    },
    "/api/v1/peer-review/assignments/{assignment_id}/file": {
        "parameters": [{"name": "assignment_id", **_ID}],
        "get": {"summary": "The attachment of the response under review",
                "responses": {"200": {"description": "The file"},
                              "404": {"description": "No file"}}},
    },
    "/api/v1/peer-review/responses/{response_id}/staff-assessment": {
        "parameters": [{"name": "response_id", **_ID}],
        "post": _op("Staff assessment; overrides the peers' score", (201, ASSESSMENT),
                    (400, 404), ASSESSMENT_IN),
    },
    "/api/v1/peer-review/responses/{response_id}/cancel": {
        "parameters": [{"name": "response_id", **_ID}],
        "post": _op("Remove a response from peer review (staff)",
                    (200, _obj(["id", "status"], id=_I, status=_S)), (400, 404, 409),
                    _obj(["reason"], reason=_S)),
    },
}
PATHS["/api/v1/peer-review/{course_id}/{block_id}/next"]["get"]["responses"]["204"] = {
    "description": "Nothing to review yet: the caller is waiting for peer_review.assigned"}
