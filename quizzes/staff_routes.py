"""Staff on one attempt: its audit trail (API and page) and reopening or extending it
(API and the history page's forms)."""

from __future__ import annotations

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import require_user
from core.errors import CoursewireError, NotFound
from core.http import read_form, read_json, redirect
from core.ids import id_or_not_found
from core.paging import PageRequest, link_headers, next_url, page_request
from core.templating import render
from courses.service import get_course
from quizzes.audit import (
    HISTORY_LIMIT,
    HISTORY_MAX,
    attempt_history,
    history_json,
    staff_attempt,
)
from quizzes.quiz_blocks import quiz_title
from quizzes.reopening import (
    extend_attempt,
    minutes_from_form,
    reopen_attempt,
    staff_action_json,
)

ACTIONS = {"reopen": reopen_attempt, "extend": extend_attempt}


def _attempt_id(request: Request) -> int:
    return id_or_not_found(request.path_params["attempt_id"], "No such quiz attempt.")


async def api_history(request: Request) -> Response:
    """The attempt's audit trail, oldest first, keyset paged (staff only)."""
    user = await require_user(request)
    rows, after = await attempt_history(user, _attempt_id(request), page_request(
        request.query_params, default=HISTORY_LIMIT, maximum=HISTORY_MAX))
    return JSONResponse([history_json(r) for r in rows],
                        headers=link_headers(request.url, after))


async def api_staff_action(request: Request) -> Response:
    """POST {minutes}: reopen a handed-in attempt, or extend a running one."""
    user = await require_user(request)
    action = ACTIONS[request.url.path.rsplit("/", 1)[1]]
    data = await read_json(request)
    attempt = await action(user, _attempt_id(request), data.get("minutes"))
    return JSONResponse(staff_action_json(attempt))


async def history_page(request: Request, *, message: str = "", status_code: int = 200,
                       form: dict[str, str] | None = None) -> Response:
    """One attempt's history for staff, with the forms to reopen or extend it."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    attempt = await staff_attempt(user, _attempt_id(request))
    if attempt.course_id != course_id:
        raise NotFound("No such quiz attempt.")
    rows, after = await attempt_history(user, attempt.id, PageRequest(HISTORY_LIMIT))
    return await page(request, "quizzes/attempt_history.html", status_code=status_code,
                      course=await get_course(course_id), attempt=attempt, rows=rows,
                      more=_rows_url(course_id, attempt.id, after),
                      quiz_title=await quiz_title(course_id, attempt.block_id),
                      message=message, form=form or {})


def _rows_url(course_id: str, attempt_id: int, after: tuple[int, ...] | None) -> str | None:
    """Where the history page's "load more" fetches the rows after `after`."""
    return next_url(URL(f"/courses/{course_id}/quiz-attempts/{attempt_id}/history/rows"),
                    after)


async def history_rows(request: Request) -> Response:
    """The history rows after a key and the next "load more" control (staff): they replace
    the control that asked, so they land below the rows already shown."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    attempt = await staff_attempt(user, _attempt_id(request))
    if attempt.course_id != course_id:
        raise NotFound("No such quiz attempt.")
    rows, after = await attempt_history(user, attempt.id, page_request(
        request.query_params, default=HISTORY_LIMIT, maximum=HISTORY_LIMIT))
    return HTMLResponse(render("quizzes/_history_rows.html", rows=rows,
                               more=_rows_url(course_id, attempt.id, after)))


async def staff_action_form(request: Request) -> Response:
    """The history page's reopen/extend forms; a refusal is said on the page, with the
    minutes as typed."""
    user = await require_user(request)
    name = request.url.path.rsplit("/", 1)[1]
    form = await read_form(request)
    typed = str(form.get("minutes") or "")
    try:
        await ACTIONS[name](user, _attempt_id(request), minutes_from_form(typed))
    except CoursewireError as exc:
        if exc.status in (401, 403, 404):
            raise
        return await history_page(request, message=exc.message, status_code=exc.status,
                                  form={"action": name, "minutes": typed})
    return redirect(request, str(request.url.path).rsplit("/", 1)[0] + "/history")


routes = [
    Route("/api/v1/quiz-attempts/{attempt_id}/history", api_history, methods=["GET"]),
    Route("/api/v1/quiz-attempts/{attempt_id}/reopen", api_staff_action, methods=["POST"]),
    Route("/api/v1/quiz-attempts/{attempt_id}/extend", api_staff_action, methods=["POST"]),
    Route("/courses/{course_id}/quiz-attempts/{attempt_id}/history", history_page),
    Route("/courses/{course_id}/quiz-attempts/{attempt_id}/history/rows", history_rows),
    Route("/courses/{course_id}/quiz-attempts/{attempt_id}/reopen", staff_action_form,
          methods=["POST"]),
    Route("/courses/{course_id}/quiz-attempts/{attempt_id}/extend", staff_action_form,
          methods=["POST"]),
]
