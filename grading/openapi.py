"""The grading endpoints' part of the OpenAPI document (API.md, "Grading")."""

from __future__ import annotations

from typing import Any

from app.openapi import _COURSE_ID, _DT, _I, _S, _json, _obj, _op

_N = {"type": "number"}
_NN = {"type": ["number", "null"]}
STATUS = {"enum": ["queued", "grading", "graded", "error", "awaiting_peer_review"]}
SUBMITTED = _obj(["id", "status", "attempt"], id=_I, status=STATUS, attempt=_I)
SUBMISSION = _obj(
    ["id", "status", "attempt", "points", "max_points", "feedback", "graded_at"],
    id=_I, status=STATUS, attempt=_I, points=_NN, max_points=_N,
    feedback={"type": ["object", "null"],
              "description": "{summary, items: [{label, passed, message}], html?, late?}"},
    graded_at={"type": ["string", "null"], "format": "date-time"}, course_id=_S, block_id=_S,
    user_id=_I, submitted_at=_DT, late={"type": "boolean"},
    error_message={"type": ["string", "null"]})
GRADE_ROW = _obj(["user_id", "percent", "passed", "blocks"], user_id=_I, name=_S, email=_S,
                 percent=_N, passed={"type": "boolean"},
                 assignment_types={"type": "array", "items": {"type": "object"}},
                 sections={"type": "array", "items": {"type": "object"}},
                 blocks={"type": "array", "items": _obj(
                     ["block_id", "points", "max_points"], block_id=_S, title=_S,
                     points=_NN, max_points=_N, status={"type": ["string", "null"]},
                     attempts=_I, overridden={"type": "boolean"})})
GRADER_ANSWER = _obj(["success", "errors"], success={"type": "boolean"},
                     errors={"type": "array", "items": _S})
_BLOCK_ID = {"name": "block_id", "in": "path", "required": True, "schema": _S}
_DTN = {"type": ["string", "null"], "format": "date-time"}
EXTENSION = _obj(["id", "user_id", "block_id", "due_at", "extra_attempts"], id=_I,
                 user_id=_I, block_id=_S, due_at=_DTN, extra_attempts=_I, reason=_S,
                 granted_by={"type": ["integer", "null"]}, granted_at=_DT)

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/courses/{course_id}/blocks/{block_id}/submissions": {
        "parameters": [_COURSE_ID, _BLOCK_ID],
        "post": _op("Submit an answer; graded in the background (submission.status, "
                    "grade.updated on user:me)", (202, SUBMITTED), (400, 404, 413, 422),
                    _obj(["answer"], answer={"type": "object", "description":
                         "by kind: {choice} | {choices} | {value} | {text} | {code}"})),
    },
    "/api/v1/submissions/{submission_id}": {
        "parameters": [{"name": "submission_id", "in": "path", "required": True,
                        "schema": _I}],
        "get": _op("One submission (its owner or course staff)", (200, SUBMISSION), (404,)),
    },
    "/api/v1/courses/{course_id}/grades": {
        "parameters": [_COURSE_ID],
        "get": _op("Gradebook rows (students: their own; staff: all students)",
                   (200, {"type": "array", "items": GRADE_ROW}), (404,)),
    },
    "/api/v1/courses/{course_id}/extensions": {
        "parameters": [_COURSE_ID],
        "get": _op("Extensions in force and their audit trail (staff)",
                   (200, _obj(["extensions", "log"],
                              extensions={"type": "array", "items": EXTENSION},
                              log={"type": "array", "items": {"type": "object"}})),
                   (403, 404)),
        "post": _op("Grant (or replace) a student's extension for a block: a later due date "
                    "and/or extra attempts (staff; audited)", (201, EXTENSION),
                    (400, 403, 404),
                    _obj(["user_id", "block_id"], user_id=_I, block_id=_S, due_at=_DTN,
                         extra_attempts=_I, reason=_S)),
    },
    "/api/v1/courses/{course_id}/extensions/{extension_id}": {
        "parameters": [_COURSE_ID, {"name": "extension_id", "in": "path", "required": True,
                                    "schema": _I},
                       {"name": "reason", "in": "query", "required": False, "schema": _S}],
        "delete": {**_op("Revoke an extension (staff; audited)", (204, {}), (403, 404))},
    },
    "/api/v1/grader/submissions/{submission_id}": {
        "parameters": [{"name": "submission_id", "in": "path", "required": True, "schema": _I},
                       {"name": "token", "in": "query", "required": True, "schema": _S}],
        "post": {
            **_op("A+ protocol: an external grader posts its result (form or JSON: points, "
                  "max_points, feedback, grading_payload, error)", (200, GRADER_ANSWER),
                  auth=False),
            "responses": {str(c): {"description": d, **_json(GRADER_ANSWER)} for c, d in
                          ((200, "Recorded"), (400, "Invalid points"), (403, "Bad token"),
                           (404, "Unknown submission"), (409, "Already graded"))},
        },
    },
}
