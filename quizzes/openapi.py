"""The quiz endpoints' part of the OpenAPI document (API.md, "Quizzes and exams")."""

from __future__ import annotations

from typing import Any

from core.openapi import COURSE_ID, DT, INT, STR, obj, op

_N = {"type": "number"}
_DTN = {"type": ["string", "null"], "format": "date-time"}
_BLOCK_ID = {"name": "block_id", "in": "path", "required": True, "schema": STR}
_ATTEMPT_ID = {"name": "attempt_id", "in": "path", "required": True, "schema": INT}
QUESTION = obj(["id", "kind", "prompt_html"], id=STR, kind=STR, title=STR, prompt_html=STR,
               max_points=_N, starter_code=STR,
               options={"type": "array", "items": obj(["id", "label_html"], id=STR,
                                                      label_html=STR)})
ATTEMPT = obj(
    ["id", "status", "started_at", "deadline_at", "questions", "answers"],
    id=INT, course_id=STR, block_id=STR, number=INT,
    status={"enum": ["in_progress", "submitted", "graded"]}, started_at=DT,
    deadline_at=_DTN, submitted_at=_DTN,
    seconds_left={"type": ["integer", "null"],
                  "description": "seconds to the deadline by the server's clock"},
    questions={"type": "array", "items": QUESTION},
    answers={"type": "object", "description": "{question_id: answer}"},
    max_points=_N, points={"type": ["number", "null"], "description": "as review allows"},
    results={"type": "object", "description": "{question_id: {points, max_points, "
             "answered, feedback}}, as review allows"})

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/courses/{course_id}/quizzes/{block_id}/attempts": {
        "parameters": [COURSE_ID, _BLOCK_ID],
        "post": {**op("Start an attempt (201), or resume the one in progress (200); its draw "
                      "and order are fixed, without answer keys. This device then holds the "
                      "attempt (docs/quizzes.md); 403 without the quiz's access code (the "
                      "first time on a device) or from a network it does not allow",
                      (201, ATTEMPT), (400, 403, 404, 422)),
                 "requestBody": {"required": False, "content": {"application/json": {
                     "schema": obj([], access_code=STR)}}}},
    },
    "/api/v1/quiz-attempts/{attempt_id}/answers/{question_id}": {
        "parameters": [_ATTEMPT_ID, {"name": "question_id", "in": "path", "required": True,
                                     "schema": STR}],
        "put": op("Autosave one answer (the latest wins); 422 if it reached the server "
                  "after deadline_at (one that reached it before is kept if the server gets "
                  "to it within its grace after the deadline, COURSEWIRE_QUIZ_GRACE_SECONDS, "
                  "before it hands the attempt in); 409 once "
                  "another device opened the attempt; 403 from a network the quiz does not "
                  "allow", (200, obj(["saved_at"], saved_at=DT)), (400, 403, 404, 409, 413, 422),
                  obj(["answer"], answer={"type": "object", "description":
                      "by kind: {choice} | {choices} | {value} | {text} | {code}"})),
    },
    "/api/v1/quiz-attempts/{attempt_id}/submit": {
        "parameters": [_ATTEMPT_ID],
        "post": op("Hand the attempt in (status `submitted`); grading's queue grades it "
                   "with the saved answers and quiz.attempt.updated says `graded` (409 from "
                   "a device that no longer holds it)",
                   (202, obj(["id", "status"], id=INT, status=STR)), (403, 404, 409, 422)),
    },
    "/api/v1/quiz-attempts/{attempt_id}": {
        "parameters": [_ATTEMPT_ID],
        "get": op("An attempt (its student or course staff); points and results as the "
                  "quiz's review allows", (200, ATTEMPT), (404,)),
    },
    "/api/v1/courses/{course_id}/quizzes/{block_id}/accommodations/{user_id}": {
        "parameters": [COURSE_ID, _BLOCK_ID, {"name": "user_id", "in": "path",
                                              "required": True, "schema": INT}],
        "put": op("Extra minutes for one student (instructors); an attempt in progress "
                  "gets its new deadline live", (200, obj(
                      ["user_id", "extra_minutes"], user_id=INT, block_id=STR,
                      extra_minutes=INT, attempt_deadline_at=_DTN)), (400, 403, 404),
                  obj(["extra_minutes"], extra_minutes=INT)),
    },
}
