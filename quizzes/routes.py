"""The quiz endpoints (API.md, "Quizzes and exams"): start/resume, autosave, submit, read,
accommodations."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.session import require_user
from core import clock
from core.http import client_ip, parse_json_text, read_json, received_at
from core.ids import id_or_not_found
from quizzes.accommodations import set_extra_time
from quizzes.attempt_holds import device_of, require_holder
from quizzes.attempts import (
    answers_of,
    attempt_view,
    open_attempt,
    save_answer,
    submit_attempt,
)
from quizzes.presenters import attempt_json


def _attempt_id(request: Request) -> int:
    return id_or_not_found(request.path_params["attempt_id"], "No such quiz attempt.")


async def api_start_attempt(request: Request) -> Response:
    """201 a new attempt, or 200 the one already in progress (on this device, which then
    holds it); the body may give `{"access_code": ...}`."""
    user = await require_user(request)
    body = await request.body()
    data = parse_json_text(body) if body.strip() else {}
    attempt, created = await open_attempt(
        user, request.path_params["course_id"], request.path_params["block_id"],
        device=device_of(request), address=client_ip(request),
        access_code=data.get("access_code") if isinstance(data, dict) else None)
    answers = {} if created else await answers_of(attempt.id)  # a new one has none yet
    data = attempt_json(attempt, answers, clock.now(), show_results=False)
    return JSONResponse(data, status_code=201 if created else 200)


async def api_save_answer(request: Request) -> Response:
    user = await require_user(request)
    attempt = await require_holder(user, _attempt_id(request), device=device_of(request),
                                   address=client_ip(request))
    saved_at = await save_answer(user, _attempt_id(request),
                                 request.path_params["question_id"], await read_json(request),
                                 loaded=attempt, received_at=received_at(request))
    return JSONResponse({"saved_at": saved_at.isoformat()})


async def api_submit(request: Request) -> Response:
    user = await require_user(request)
    loaded = await require_holder(user, _attempt_id(request), device=device_of(request),
                                  address=client_ip(request))
    attempt = await submit_attempt(user, _attempt_id(request), loaded=loaded)
    return JSONResponse({"id": attempt.id, "status": attempt.status.value}, status_code=202)


async def api_attempt(request: Request) -> Response:
    user = await require_user(request)
    return JSONResponse(await attempt_view(user, _attempt_id(request)))


async def api_accommodation(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    return JSONResponse(await set_extra_time(
        user, request.path_params["course_id"], request.path_params["block_id"],
        id_or_not_found(request.path_params["user_id"], "No such member."),
        data.get("extra_minutes")))


routes = [
    Route("/api/v1/courses/{course_id}/quizzes/{block_id}/attempts", api_start_attempt,
          methods=["POST"]),
    Route("/api/v1/quiz-attempts/{attempt_id}/answers/{question_id}", api_save_answer,
          methods=["PUT"]),
    Route("/api/v1/quiz-attempts/{attempt_id}/submit", api_submit, methods=["POST"]),
    Route("/api/v1/quiz-attempts/{attempt_id}", api_attempt, methods=["GET"]),
    Route("/api/v1/courses/{course_id}/quizzes/{block_id}/accommodations/{user_id}",
          api_accommodation, methods=["PUT"]),
]
