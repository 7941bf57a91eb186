"""Register, log in, log out (pages) and the auth endpoints of the JSON API."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.accounts.service import authenticate, register_user
from app.auth.session import log_in, log_out, require_user
from app.auth.tokens import issue_token
from app.errors import CoursewireError
from app.http import client_ip, created, page, read_form, read_json, redirect
from models.users import User


def user_json(user: User) -> dict[str, object]:
    return {"id": user.id, "email": user.email, "name": user.name, "is_admin": user.is_admin}


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
        return await page(request, "accounts/register.html", form={}, errors={})
    form = await read_form(request)
    try:
        user = await register_user(form.get("email"), form.get("password"), form.get("name"))
    except CoursewireError as exc:
        return await page(request, "accounts/register.html", status_code=exc.status,
                          form=form, errors=exc.fields, message=exc.message)
    log_in(request, user)
    return redirect(request, "/")


async def login_page(request: Request) -> Response:
    next_url = _safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return await page(request, "accounts/login.html", form={}, errors={}, next=next_url)
    form = await read_form(request)
    runtime = request.app.state.runtime
    try:
        user = await authenticate(form.get("email"), form.get("password"),
                                  client_ip=client_ip(request), limiter=runtime.limiter,
                                  settings=runtime.settings)
    except CoursewireError as exc:
        return await page(request, "accounts/login.html", status_code=exc.status, form=form,
                          errors=exc.fields, message=exc.message, next=next_url)
    log_in(request, user)
    return redirect(request, _safe_next(form.get("next")))


async def logout(request: Request) -> Response:
    log_out(request)
    return redirect(request, "/login")


async def api_register(request: Request) -> Response:
    """Create an account."""
    data = await read_json(request)
    user = await register_user(data.get("email"), data.get("password"), data.get("name"))
    return created({"id": user.id, "email": user.email, "name": user.name})


async def api_token(request: Request) -> Response:
    """Exchange email and password for a bearer token."""
    data = await read_json(request)
    runtime = request.app.state.runtime
    user = await authenticate(data.get("email"), data.get("password"),
                              client_ip=client_ip(request), limiter=runtime.limiter,
                              settings=runtime.settings)
    ttl = runtime.settings.token_ttl_seconds
    return JSONResponse({"access_token": issue_token(user.id, runtime.settings.secret_key, ttl),
                         "token_type": "bearer", "expires_in": ttl})


async def api_me(request: Request) -> Response:
    """The caller's account."""
    return JSONResponse(user_json(await require_user(request)))


routes = [
    Route("/register", register_page, methods=["GET", "POST"]),
    Route("/login", login_page, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/api/v1/auth/register", api_register, methods=["POST"]),
    Route("/api/v1/auth/token", api_token, methods=["POST"]),
    Route("/api/v1/me", api_me, methods=["GET"]),
]
