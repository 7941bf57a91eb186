"""The peer review endpoints' part of the OpenAPI document (the API contract, "Peer review")."""

from __future__ import annotations

from typing import Any

from core.openapi import COURSE_ID, DT, INT, STR, obj, op

_N = {"type": "number"}
_NN = {"type": ["number", "null"]}
_BLOCK_ID = {"name": "block_id", "in": "path", "required": True, "schema": STR}
_ID = {"in": "path", "required": True, "schema": INT}
RUBRIC = obj(["criteria"], criteria={"type": "array", "items": obj(
    ["name", "label", "options"], name=STR, label=STR,
    feedback={"enum": ["optional", "required", "disabled"]},
    options={"type": "array", "items": obj(["name", "label", "points"], name=STR, label=STR,
                                            points=_N)})})
ASSIGNMENT = obj(
    ["id", "submission", "rubric", "due_at"], id=INT, course_id=STR, block_id=STR,
    submission=obj(["answer"], answer=obj(["text"], text=STR, file=obj(
        ["name", "url"], name=STR, url=STR))),
    rubric=RUBRIC, due_at={"type": ["string", "null"], "format": "date-time"},
    expires_at={"type": ["string", "null"], "format": "date-time"})
ASSESSMENT_IN = obj(["scores"], scores={"type": "object", "description":
                                         "{criterion name: option name}"},
                     feedback=STR, criterion_feedback={"type": "object", "description":
                                                      "{criterion name: text}"})
ASSESSMENT = obj(["id", "status"], id=INT, status=STR, points=_NN, completed_at=DT)
RESULT = obj(
    ["status", "points", "per_criterion"],
    status={"enum": ["waiting_for_your_reviews", "waiting_for_self_assessment",
                     "waiting_for_peer_reviews", "graded", "cancelled"]},
    points=_NN, max_points=_N,
    per_criterion={"type": ["array", "null"], "items": obj(
        ["name", "points", "max_points"], name=STR, label=STR, points=_N, max_points=_N,
        feedback={"type": "array", "items": STR})},
    feedback={"type": ["array", "null"], "items": STR,
              "description": "The reviewers' overall comments, unattributed (once graded)"},
    reviews_received=INT, reviews_required=INT, reviews_given=INT, must_grade=INT)
BOARD = obj(["responses", "graded", "short_of_graded_by", "waiting", "stuck"],
             responses=INT, graded=INT, short_of_graded_by=INT, waiting=INT, stuck=INT,
             cancelled=INT, waiting_reviewers={"type": "array"},
             stuck_reviewers={"type": "array"}, short={"type": "array"})
_BLOCK = [COURSE_ID, _BLOCK_ID]

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/peer-review/{course_id}/{block_id}/next": {
        "parameters": _BLOCK,
        "get": op("The caller's assignment (their open lease again, or the fairest "
                   "eligible response, leased). 204: none yet; the caller is waiting and "
                   "gets peer_review.assigned on user:me", (200, ASSIGNMENT), (404, 422)),
    },
    "/api/v1/peer-review/assignments/{assignment_id}/assessment": {
        "parameters": [{"name": "assignment_id", **_ID}],
        "post": op("Assess the response of an assignment", (201, ASSESSMENT),
                    (400, 404, 409, 422), ASSESSMENT_IN),
    },
    "/api/v1/peer-review/{course_id}/{block_id}/result": {
        "parameters": _BLOCK,
        "get": op("The author's result (peer_review.result on user:me when it changes)",
                   (200, RESULT), (404,)),
    },
    "/api/v1/peer-review/{course_id}/{block_id}/self-assessment": {
        "parameters": _BLOCK,
        "post": op("Assess your own response (blocks with self_assessment)",
                    (201, ASSESSMENT), (400, 404, 409, 422), ASSESSMENT_IN),
    },
    "/api/v1/peer-review/{course_id}/{block_id}/board": {
        "parameters": _BLOCK,
        "get": op("Staff progress board (peer_review.board on course:<id>:staff)",
                   (200, BOARD), (403, 404)),
    },
    "/api/v1/peer-review/{course_id}/{block_id}/allocation": {
        "parameters": _BLOCK,
        "put": op("Schedule random allocation (staff)",
                   (200, obj(["run_at", "reviews_per_response"], run_at=DT,
                              reviews_per_response=INT, exclude_same_group={"type": "boolean"})),
                   (400, 403, 404),
                   obj(["reviews_per_response"], run_at=DT, reviews_per_response=INT,
                        exclude_same_group={"type": "boolean"})),
    },
    "/api/v1/peer-review/{course_id}/groups/{user_id}": {
        "parameters": [COURSE_ID, {"name": "user_id", **_ID}],
        "put": op("Set a student's review group (staff); empty group removes it",
                   (200, obj(["user_id"], user_id=INT, group={"type": ["string", "null"]})),
                   (400, 403, 404), obj([], group={"type": ["string", "null"]})),
    },
    "/api/v1/peer-review/assignments/{assignment_id}/open": {
        "parameters": [{"name": "assignment_id", **_ID}],
        "post": op("Open an assignment pushed to you: its short first lease becomes the "
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
        "post": op("Staff assessment; overrides the peers' score", (201, ASSESSMENT),
                    (400, 404), ASSESSMENT_IN),
    },
    "/api/v1/peer-review/responses/{response_id}/cancel": {
        "parameters": [{"name": "response_id", **_ID}],
        "post": op("Remove a response from peer review (staff)",
                    (200, obj(["id", "status"], id=INT, status=STR)), (400, 404, 409),
                    obj(["reason"], reason=STR)),
    },
}
PATHS["/api/v1/peer-review/{course_id}/{block_id}/next"]["get"]["responses"]["204"] = {
    "description": "Nothing to review yet: the caller is waiting for peer_review.assigned"}
