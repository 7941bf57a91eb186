"""Register, log in, log out (pages) and the auth endpoints of the JSON API."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts import profile
from accounts.oidc.providers import sign_in_buttons
from accounts.pages import page
from accounts.recovery_routes import CHANGED
from accounts.service import authenticate
from accounts.session import current_user, end_sessions, log_in, log_out, require_user
from accounts.tokens import issue_token
from accounts.verification import sign_up
from core.body_size import BodySize, limit_body
from core.errors import CoursewireError
from core.http import client_ip, created, read_form, read_json, redirect
from core.i18n import gettext as _


def _safe_next(value: str | None) -> str:
    """`value` if it is a path on this site, else "/": never redirect to another host.

    Browsers read `/\\evil.example` as `//evil.example` and drop tabs and newlines from
    URLs (`/\t/evil.example`), so backslashes and control characters are refused, also
    percent-encoded (`/%09/evil.example`), in case something on the way decodes them.
    """
    if not value:
        return "/"
    for form in (value, unquote(value)):
        if any(c == "\\" or ord(c) < 0x20 or ord(c) == 0x7F for c in form):
            return "/"
        parts = urlsplit(form)
        if parts.scheme or parts.netloc or not form.startswith("/") or form.startswith("//"):
            return "/"
    return value


async def register_page(request: Request) -> Response:
    if request.method == "GET":
        next_url = _safe_next(request.query_params.get("next"))
        return await page(request, "accounts/register.html", form={}, errors={}, next=next_url)
    form = await read_form(request)
    next_url = _safe_next(form.get("next"))  # e.g. back to the invite that sent them here
    try:
        user = await sign_up(form.get("email"), form.get("password"), form.get("name"))
    except CoursewireError as exc:
        return await page(request, "accounts/register.html", status_code=exc.status,
                          form=form, errors=exc.fields, message=exc.message, next=next_url)
    log_in(request, user)
    return redirect(request, next_url)


async def login_page(request: Request) -> Response:
    next_url = _safe_next(request.query_params.get("next"))
    if request.method == "GET":
        changed = request.query_params.get("reset") == "done"
        return await page(request, "accounts/login.html", form={}, errors={}, next=next_url,
                          message=_(CHANGED) if changed else None,
                          providers=await sign_in_buttons())
    form = await read_form(request)
    runtime = request.app.state.runtime
    try:
        user = await authenticate(form.get("email"), form.get("password"),
                                  client_ip=client_ip(request), limiter=runtime.limiter,
                                  settings=runtime.settings)
    except CoursewireError as exc:
        return await page(request, "accounts/login.html", status_code=exc.status, form=form,
                          errors=exc.fields, message=exc.message, next=next_url,
                          providers=await sign_in_buttons())
    log_in(request, user)
    return redirect(request, _safe_next(form.get("next")))


async def logout(request: Request) -> Response:
    user = await current_user(request)
    if user is not None:
        await end_sessions(user)  # also closes the user's open sockets, on every process
    log_out(request)
    return redirect(request, "/login")


async def api_logout(request: Request) -> Response:
    """End the caller's sessions: this token, and every cookie and token issued before."""
    await end_sessions(await require_user(request))
    if "session" in request.scope:
        log_out(request)
    return Response(status_code=204)


async def api_register(request: Request) -> Response:
    """Create an account."""
    data = await read_json(request)
    user = await sign_up(data.get("email"), data.get("password"), data.get("name"))
    return created({"id": user.id, "email": user.email, "name": user.name})


async def api_token(request: Request) -> Response:
    """Exchange email and password for a bearer token."""
    data = await read_json(request)
    runtime = request.app.state.runtime
    user = await authenticate(data.get("email"), data.get("password"),
                              client_ip=client_ip(request), limiter=runtime.limiter,
                              settings=runtime.settings)
    ttl = runtime.settings.token_ttl_seconds
    return JSONResponse({"access_token": issue_token(user.id, runtime.settings.secret_key, ttl,
                                                     user.session_generation),
                         "token_type": "bearer", "expires_in": ttl})


routes = [
    limit_body(BodySize.CREDENTIALS, Route("/register", register_page, methods=["GET", "POST"])),
    limit_body(BodySize.CREDENTIALS, Route("/login", login_page, methods=["GET", "POST"])),
    limit_body(BodySize.CREDENTIALS, Route("/logout", logout, methods=["POST"])),
    limit_body(BodySize.CREDENTIALS,
               Route("/api/v1/auth/register", api_register, methods=["POST"])),
    limit_body(BodySize.CREDENTIALS, Route("/api/v1/auth/token", api_token, methods=["POST"])),
    limit_body(BodySize.CREDENTIALS,
               Route("/api/v1/auth/logout", api_logout, methods=["POST"])),
    *profile.routes,
]
