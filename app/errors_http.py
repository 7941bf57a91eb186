"""The one place typed errors become responses: JSON under /api, HTML elsewhere."""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)

from app.errors import CoursewireError, NotAuthenticated, RateLimited
from app.templating import env

log = logging.getLogger("coursewire.errors")

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_input"}


def error_response(request: Request, exc: CoursewireError) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}
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
        csrf_token=csrf,
    )
    if is_htmx:
        # Errors from an htmx form land in that form's error area, whatever its hx-target.
        headers.update({"HX-Retarget": "find .form-errors", "HX-Reswap": "innerHTML"})
    return HTMLResponse(html, status_code=exc.status, headers=headers)


async def handle_coursewire_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CoursewireError)
    return error_response(request, exc)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    error = CoursewireError(str(exc.detail))
    error.status, error.code = exc.status_code, code
    return error_response(request, error)


class ServerError(CoursewireError):
    status, code = 500, "server_error"


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """A bug, not bad input: a plain apology in the usual shape, never a traceback.

    Starlette re-raises the exception after this response, so the server logs it in full.
    """
    error = ServerError("Something went wrong on our side. It has been logged; please try "
                        "again.")
    try:
        return error_response(request, error)
    except Exception:  # rendering the page failed too: don't make it worse
        log.exception("rendering the error page failed")
        if request.url.path.startswith("/api/"):
            return JSONResponse(error.as_json(), status_code=500)
        return PlainTextResponse(error.message, status_code=500)


EXCEPTION_HANDLERS = {
    CoursewireError: handle_coursewire_error,
    HTTPException: handle_http_exception,
    # Starlette hands `Exception` to its outermost ServerErrorMiddleware.
    Exception: handle_unexpected,
}
