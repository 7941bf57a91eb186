"""The grading endpoints' part of the OpenAPI document (the API contract, "Grading")."""

from __future__ import annotations

from typing import Any

from core.openapi import COURSE_ID, DT, INT, PAGED, STR, json_body, obj, op, paging_parameters
from grading.gradebook_pages import GRADES_LIMIT, GRADES_MAX
from grading.queries import SUBMISSIONS_LIMIT, SUBMISSIONS_MAX

_N = {"type": "number"}
_NN = {"type": ["number", "null"]}
STATUS = {"enum": ["queued", "grading", "graded", "error", "awaiting_peer_review"]}
SUBMITTED = obj(["id", "status", "attempt"], id=INT, status=STATUS, attempt=INT)
SUBMISSION = obj(
    ["id", "status", "attempt", "points", "max_points", "feedback", "graded_at"],
    id=INT, status=STATUS, attempt=INT, points=_NN, max_points=_N,
    feedback={"type": ["object", "null"],
              "description": "{summary, items: [{label, passed, message}], html?, late?}"},
    graded_at={"type": ["string", "null"], "format": "date-time"}, course_id=STR, block_id=STR,
    user_id=INT, submitted_at=DT, late={"type": "boolean"},
    error_message={"type": ["string", "null"]})
GRADE_ROW = obj(["user_id", "percent", "passed", "blocks"], user_id=INT, name=STR, email=STR,
                 percent=_N, passed={"type": "boolean"},
                 assignment_types={"type": "array", "items": {"type": "object"}},
                 sections={"type": "array", "items": {"type": "object"}},
                 blocks={"type": "array", "items": obj(
                     ["block_id", "points", "max_points"], block_id=STR, title=STR,
                     points=_NN, max_points=_N, status={"type": ["string", "null"]},
                     attempts=INT, overridden={"type": "boolean"})})
GRADER_ANSWER = obj(["success", "errors"], success={"type": "boolean"},
                     errors={"type": "array", "items": STR})
_BLOCK_ID = {"name": "block_id", "in": "path", "required": True, "schema": STR}
_DTN = {"type": ["string", "null"], "format": "date-time"}
EXTENSION = obj(["id", "user_id", "block_id", "due_at", "extra_attempts"], id=INT,
                 user_id=INT, block_id=STR, due_at=_DTN, extra_attempts=INT, reason=STR,
                 granted_by={"type": ["integer", "null"]}, granted_at=DT)

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/courses/{course_id}/blocks/{block_id}/submissions": {
        "parameters": [COURSE_ID, _BLOCK_ID],
        "post": op("Submit an answer; graded in the background (submission.status, "
                    "grade.updated on user:me)", (202, SUBMITTED), (400, 404, 413, 422),
                    obj(["answer"], answer={"type": "object", "description":
                         "by kind: {choice} | {choices} | {value} | {text} | {code}"})),
        "get": {**op("The block's submissions, newest first (staff). " + PAGED,
                     (200, {"type": "array", "items": SUBMISSION}), (400, 403, 404)),
                "parameters": paging_parameters(SUBMISSIONS_LIMIT, SUBMISSIONS_MAX)},
    },
    "/api/v1/submissions/{submission_id}": {
        "parameters": [{"name": "submission_id", "in": "path", "required": True,
                        "schema": INT}],
        "get": op("One submission (its owner or course staff)", (200, SUBMISSION), (404,)),
    },
    "/api/v1/courses/{course_id}/grades": {
        "parameters": [COURSE_ID],
        "get": {**op("Gradebook rows (students: their own; staff: all students, by name), "
                     "filtered by ?q= (name or email), ?section= (chapter id) and "
                     "?only=failing|pending, ?group= (mine, all or a group's name; staff "
                     "assigned to groups default to theirs). " + PAGED,
                     (200, {"type": "array", "items": GRADE_ROW}), (400, 404)),
                "parameters": [*paging_parameters(GRADES_LIMIT, GRADES_MAX), {
                    "name": "group", "in": "query", "required": False, "schema": STR,
                    "description": "mine, all or a group's name (staff)"}]},
    },
    "/api/v1/courses/{course_id}/extensions": {
        "parameters": [COURSE_ID],
        "get": op("Extensions in force and their audit trail (staff)",
                   (200, obj(["extensions", "log"],
                              extensions={"type": "array", "items": EXTENSION},
                              log={"type": "array", "items": {"type": "object"}})),
                   (403, 404)),
        "post": op("Grant (or replace) a student's extension for a block: a later due date "
                    "and/or extra attempts (staff; audited)", (201, EXTENSION),
                    (400, 403, 404),
                    obj(["user_id", "block_id"], user_id=INT, block_id=STR, due_at=_DTN,
                         extra_attempts=INT, reason=STR)),
    },
    "/api/v1/courses/{course_id}/extensions/{extension_id}": {
        "parameters": [COURSE_ID, {"name": "extension_id", "in": "path", "required": True,
                                    "schema": INT},
                       {"name": "reason", "in": "query", "required": False, "schema": STR}],
        "delete": {**op("Revoke an extension (staff; audited)", (204, {}), (403, 404))},
    },
    "/api/v1/grader/submissions/{submission_id}": {
        "parameters": [{"name": "submission_id", "in": "path", "required": True, "schema": INT},
                       {"name": "token", "in": "query", "required": True, "schema": STR}],
        "post": {
            **op("A+ protocol: an external grader posts its result (form or JSON: points, "
                  "max_points, feedback, grading_payload, error)", (200, GRADER_ANSWER),
                  auth=False),
            "responses": {str(c): {"description": d, **json_body(GRADER_ANSWER)} for c, d in
                          ((200, "Recorded"), (400, "Invalid points"), (403, "Bad token"),
                           (404, "Unknown submission"), (409, "Already graded"))},
        },
    },
}


GROUP_DATES = obj(["group_id", "block_id"], group_id=INT, block_id=STR, due_at=_DTN,
                  opens_at=_DTN, closes_at=_DTN)
_GROUP = [COURSE_ID, {"name": "group_id", "in": "path", "required": True, "schema": INT}]
GROUP_DEADLINE_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/courses/{course_id}/groups/{group_id}/deadlines": {
        "parameters": _GROUP,
        "get": op("The group's own dates per block (staff)",
                  (200, {"type": "array", "items": GROUP_DATES}), (403, 404)),
        "put": op("Set the group's dates for a block: a due date and/or a quiz window; a "
                  "student's own extension still wins (staff)", (200, GROUP_DATES),
                  (400, 403, 404),
                  obj(["block_id"], block_id=STR, due_at=_DTN, opens_at=_DTN,
                      closes_at=_DTN)),
    },
    "/api/v1/courses/{course_id}/groups/{group_id}/deadlines/{block_id}": {
        "parameters": [*_GROUP, {"name": "block_id", "in": "path", "required": True,
                                 "schema": STR}],
        "delete": op("Take the group's dates for a block back (staff)", (204, {}),
                     (403, 404)),
    },
}
