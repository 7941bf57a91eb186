"""The staff endpoints on one quiz attempt, for the OpenAPI document: its audit trail,
reopening and extending it (quizzes.staff_routes)."""

from __future__ import annotations

from typing import Any

from core.openapi import DT, INT, STR, obj, op
from models.quiz_audit import AttemptAction
from quizzes.audit import HISTORY_LIMIT, HISTORY_MAX
from quizzes.reopening import MAX_MINUTES

_DTN = {"type": ["string", "null"], "format": "date-time"}
_ATTEMPT_ID = {"name": "attempt_id", "in": "path", "required": True, "schema": INT}
_LIST_QUERY = [
    {"name": "limit", "in": "query", "required": False,
     "schema": {**INT, "minimum": 1, "maximum": HISTORY_MAX, "default": HISTORY_LIMIT}},
    {"name": "after", "in": "query", "required": False, "schema": STR,
     "description": "the key the previous page's next link gave"}]
HISTORY_ITEM = obj(
    ["id", "action", "actor", "at", "deadline_at", "detail"], id=INT,
    action={"enum": [a.value for a in AttemptAction]},
    actor={"type": ["object", "null"], "description": "{id, name}; null: the server"},
    at=DT, deadline_at=_DTN,
    detail={"type": "object", "description": "e.g. {minutes}, {extra_minutes}, {points}"})
_MINUTES = obj(["minutes"], minutes={**INT, "minimum": 1, "maximum": MAX_MINUTES})
_CHANGED = obj(["id", "status", "deadline_at"], id=INT, status=STR, deadline_at=_DTN)

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/quiz-attempts/{attempt_id}/history": {
        "parameters": [_ATTEMPT_ID],
        "get": {**op("The attempt's audit trail, oldest first (course staff only): started, "
                     "handed in by the student or by the server at the deadline, graded, "
                     "reopened, extended, accommodation changed, with who and when. Paged "
                     "by keyset: while more remain, a `Link: <url>; rel=\"next\"` header "
                     "gives the next page", (200, {"type": "array", "items": HISTORY_ITEM}),
                     (400, 403, 404)),
                "parameters": _LIST_QUERY},
    },
    "/api/v1/quiz-attempts/{attempt_id}/reopen": {
        "parameters": [_ATTEMPT_ID],
        "post": op("Reopen a handed-in attempt (course staff) until `minutes` from now; its "
                   "grading submission is withdrawn until it is handed in again. Pushed as "
                   "quiz.attempt.updated and quiz.progress", (200, _CHANGED),
                   (400, 403, 404, 422), _MINUTES),
    },
    "/api/v1/quiz-attempts/{attempt_id}/extend": {
        "parameters": [_ATTEMPT_ID],
        "post": op("Move a running attempt's deadline `minutes` later (course staff). "
                   "Pushed as quiz.attempt.updated and quiz.progress", (200, _CHANGED),
                   (400, 403, 404, 422), _MINUTES),
    },
}
