"""The signed-in user's own settings: the profile page and `PATCH /api/v1/me`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.oidc.linking import has_password, links_of
from accounts.oidc.providers import sign_in_buttons
from accounts.pages import page
from accounts.service import set_timezone
from accounts.session import require_user
from core.errors import CoursewireError
from core.http import read_form, read_json
from core.human_time import zone_names
from models.users import User


def user_json(user: User) -> dict[str, object]:
    return {"id": user.id, "email": user.email, "name": user.name, "is_admin": user.is_admin,
            "timezone": user.timezone}


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
        return await _profile(request, user, form={"timezone": user.timezone}, errors={})
    form = await read_form(request)
    try:
        await set_timezone(user, form.get("timezone"))
    except CoursewireError as exc:
        return await _profile(request, user, exc.status, form=form, errors=exc.fields,
                              message=exc.message)
    return await _profile(request, user, form={"timezone": user.timezone}, errors={},
                          message="Saved.")


async def api_me(request: Request) -> Response:
    """The caller's account."""
    return JSONResponse(user_json(await require_user(request)))


async def api_update_me(request: Request) -> Response:
    """Change the caller's settings (today: the time zone)."""
    user = await require_user(request)
    data = await read_json(request)
    if "timezone" in data:
        await set_timezone(user, data["timezone"], detected=data.get("detected") is True)
    return JSONResponse(user_json(user))


routes = [
    Route("/profile", profile_page, methods=["GET", "POST"]),
    Route("/api/v1/me", api_me, methods=["GET"]),
    Route("/api/v1/me", api_update_me, methods=["PATCH"]),
]
