"""The one place typed errors become responses: JSON under /api, HTML elsewhere."""

from __future__ import annotations

import logging
from urllib.parse import quote

import asyncpg
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)

from core.errors import CoursewireError, NotAuthenticated, RateLimited
from core.i18n import N_, current_language
from core.i18n import gettext as _
from core.templating import env

log = logging.getLogger("coursewire.errors")

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_input"}
# Starlette's own refusals (an unknown path, a method the route lacks), in words.
HTTP_MESSAGES = {404: N_("Not Found"), 405: N_("Method Not Allowed")}


def error_response(request: Request, exc: CoursewireError) -> Response:
    headers = ({"Retry-After": str(exc.retry_after)}
               if isinstance(exc, RateLimited | ServiceUnavailable) else {})
    if request.url.path.startswith("/api/"):
        if isinstance(exc, NotAuthenticated):
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(exc.as_json(), status_code=exc.status, headers=headers)
    is_htmx = request.headers.get("hx-request") == "true"
    if isinstance(exc, NotAuthenticated) and request.method == "GET" and not is_htmx:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    template = "_error_fragment.html" if is_htmx else "error.html"
    csrf = request.session.get("csrf", "") if "session" in request.scope else ""
    html = env.get_template(template).render(
        request=request, error=exc, user=request.scope.get("state", {}).get("user"),
        csrf_token=csrf, language=current_language(),
    )
    if is_htmx:
        # Errors from an htmx form land in that form's error area, whatever its hx-target
        # or hx-select (a form that picks itself out of a page it gets back): the form, and
        # what was typed in it, stay.
        headers.update({"HX-Retarget": "find .form-errors", "HX-Reswap": "innerHTML",
                        "HX-Reselect": ".error-box"})
    return HTMLResponse(html, status_code=exc.status, headers=headers)


async def handle_coursewire_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CoursewireError)
    return error_response(request, exc)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    error = CoursewireError(_(HTTP_MESSAGES[exc.status_code]) if exc.status_code in
                            HTTP_MESSAGES else str(exc.detail))
    error.status, error.code = exc.status_code, code
    return error_response(request, error)


class ServerError(CoursewireError):
    status, code = 500, "server_error"


class ServiceUnavailable(CoursewireError):
    status, code = 503, "service_unavailable"
    retry_after = 5


# What a request meets while PostgreSQL or Redis is down or restarting: refused or reset
# connections, a pooled connection the server closed, "the database system is shutting
# down / starting up" (class 57), a connection failure (class 08).
UNAVAILABLE = (ConnectionError, asyncpg.exceptions.ConnectionDoesNotExistError,
               asyncpg.PostgresConnectionError, asyncpg.exceptions.OperatorInterventionError,
               RedisConnectionError, RedisTimeoutError)


def _unavailable_cause(exc: BaseException) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, UNAVAILABLE):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


async def handle_unavailable(request: Request, exc: Exception) -> Response:
    """A service we need is down: 503 with Retry-After, so clients retry; no traceback
    per request (the outage is logged once per request as one line)."""
    log.warning("%s %s: a backing service is unavailable: %r", request.method,
                request.url.path, _unavailable_cause(exc) or exc)
    return error_response(request, ServiceUnavailable(
        _("A service Coursewire needs is unavailable for a moment (database or broker "
          "restarting). Please try again in a few seconds.")))


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """A bug, not bad input: a plain apology in the usual shape, never a traceback.

    Starlette re-raises the exception after this response, so the server logs it in full.
    An outage wrapped in another exception (an ORM error caused by a lost connection) is
    still a 503.
    """
    if _unavailable_cause(exc) is not None:
        return await handle_unavailable(request, exc)
    error = ServerError(_("Something went wrong on our side. It has been logged; please try "
                          "again."))
    try:
        return error_response(request, error)
    except Exception:  # rendering the page failed too: don't make it worse
        log.exception("rendering the error page failed")
        if request.url.path.startswith("/api/"):
            return JSONResponse(error.as_json(), status_code=500)
        return PlainTextResponse(error.message, status_code=500)


async def handle_client_gone(request: Request, exc: Exception) -> Response:
    """The client (or the proxy in front) closed the connection before the app read the
    request's body: nobody is left to answer, and it is no bug, so one line, no traceback
    (under an exam storm, nginx gives up on requests still queued after its read timeout).
    Nothing was done: the body was never read."""
    log.info("%s %s: the client went away before its request was read", request.method,
             request.url.path)
    return Response(status_code=499)


EXCEPTION_HANDLERS = {
    ClientDisconnect: handle_client_gone,
    CoursewireError: handle_coursewire_error,
    HTTPException: handle_http_exception,
    **{kind: handle_unavailable for kind in UNAVAILABLE},
    # Starlette hands `Exception` to its outermost ServerErrorMiddleware.
    Exception: handle_unexpected,
}
