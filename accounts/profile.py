"""The signed-in user's own settings: the profile page, `PATCH /api/v1/me`, and the
language switcher every visitor has in the footer."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from accounts.oidc.linking import has_password, links_of
from accounts.oidc.providers import sign_in_buttons
from accounts.pages import page
from accounts.service import language_field, set_language_setting, set_timezone
from accounts.session import current_user, remember_language, require_user
from core.errors import CoursewireError
from core.http import read_form, read_json
from core.human_time import zone_names
from core.i18n import gettext as _
from core.i18n import negotiate, set_language
from models.users import User


def user_json(user: User) -> dict[str, object]:
    return {"id": user.id, "email": user.email, "name": user.name, "is_admin": user.is_admin,
            "timezone": user.timezone, "language": user.language}


def _settings_form(user: User) -> dict[str, Any]:
    return {"timezone": user.timezone, "language": user.language or ""}


def _now_speaking(request: Request, user: User) -> None:
    """After `user` changed their language: the session keeps it, and this response is in it."""
    if "session" in request.scope:
        remember_language(request, user.language)
    set_language(negotiate(user.language, request.headers.get("accept-language")))


async def _profile(request: Request, user: User, status_code: int = 200,
                   **context: object) -> Response:
    links = await links_of(user)
    linked = {link.provider_id for link in links}
    return await page(request, "accounts/profile.html", status_code=status_code,
                      zones=zone_names(), sign_in_links=links,
                      can_unlink=has_password(user) or len(links) > 1,
                      link_choices=[p for p in await sign_in_buttons() if p.id not in linked],
                      **context)


async def profile_page(request: Request) -> Response:
    user = await require_user(request)
    if request.method == "GET":
        return await _profile(request, user, form=_settings_form(user), errors={})
    form = await read_form(request)
    before = user.language
    try:
        await set_timezone(user, form.get("timezone"))
        if "language" in form:
            await set_language_setting(user, form.get("language"))
            _now_speaking(request, user)
    except CoursewireError as exc:
        return await _profile(request, user, exc.status, form=form, errors=exc.fields,
                              message=exc.message)
    response = await _profile(request, user, form=_settings_form(user), errors={},
                              message=_("Saved."))
    if user.language != before and request.headers.get("hx-request") == "true":
        # The whole page changes language, not only the form htmx swaps: reload it.
        response.headers["HX-Refresh"] = "true"
    return response


async def api_me(request: Request) -> Response:
    """The caller's account."""
    return JSONResponse(user_json(await require_user(request)))


async def api_update_me(request: Request) -> Response:
    """Change the caller's settings: `timezone` (an IANA name) and `language` (en, fi, es,
    or null for the browser's)."""
    user = await require_user(request)
    data = await read_json(request)
    if "language" in data:
        await set_language_setting(user, data["language"])
        _now_speaking(request, user)
    if "timezone" in data:
        await set_timezone(user, data["timezone"], detected=data.get("detected") is True)
    return JSONResponse(user_json(user))


async def choose_language(request: Request) -> Response:
    """The footer's switcher: any visitor picks the language of the pages they see (kept in
    their session; a signed-in user's setting changes too). Back to where they were."""
    form = await read_form(request)
    code = language_field(form.get("language"))
    user = await current_user(request)
    if user is not None:
        await set_language_setting(user, code)
    remember_language(request, code)
    back = form.get("next")
    safe = back if isinstance(back, str) and back.startswith("/") and not back.startswith(
        "//") and "\\" not in back else "/"
    return RedirectResponse(safe, status_code=303)


routes = [
    Route("/profile", profile_page, methods=["GET", "POST"]),
    Route("/language", choose_language, methods=["POST"]),
    Route("/api/v1/me", api_me, methods=["GET"]),
    Route("/api/v1/me", api_update_me, methods=["PATCH"]),
]
