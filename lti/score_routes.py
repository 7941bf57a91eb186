"""Staff's view of grade passback: the course's scores a platform has not taken (page and
API, keyset-paged), and "retry now"; the page also lists roster syncs that failed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import require_user
from core.http import redirect
from core.ids import id_or_not_found
from core.paging import link_headers, next_url, page_request
from lti.roster import failed_syncs
from lti.score_sends import SENDS_LIMIT, SENDS_MAX, retry_score, score_json, unsent_scores


async def scores_page(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    rows, after = await unsent_scores(user, course_id, page_request(
        request.query_params, default=SENDS_LIMIT, maximum=SENDS_MAX))
    return await page(request, "lti/scores.html", course_id=course_id,
                      scores=[score_json(s) for s in rows],
                      roster_failures=await failed_syncs(user, course_id),
                      next_page=next_url(request.url, after))


async def retry_form(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    number = id_or_not_found(request.path_params["score_id"], "No such grade send.")
    await retry_score(user, course_id, number)
    return redirect(request, f"/courses/{course_id}/lti/scores")


async def api_scores(request: Request) -> Response:
    """The course's grade sends not yet taken by the platform (staff), oldest first."""
    user = await require_user(request)
    rows, after = await unsent_scores(user, request.path_params["course_id"], page_request(
        request.query_params, default=SENDS_LIMIT, maximum=SENDS_MAX))
    return JSONResponse([score_json(s) for s in rows], headers=link_headers(request.url, after))


async def api_retry(request: Request) -> Response:
    user = await require_user(request)
    number = id_or_not_found(request.path_params["score_id"], "No such grade send.")
    score = await retry_score(user, request.path_params["course_id"], number)
    return JSONResponse(score_json(score))


routes = [
    Route("/courses/{course_id}/lti/scores", scores_page),
    Route("/courses/{course_id}/lti/scores/{score_id}/retry", retry_form, methods=["POST"]),
    Route("/api/v1/courses/{course_id}/lti/scores", api_scores),
    Route("/api/v1/courses/{course_id}/lti/scores/{score_id}/retry", api_retry,
          methods=["POST"]),
]
