"""Site admins' sign-in providers: a page under /admin and the JSON API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.oidc import providers
from accounts.pages import page
from accounts.session import require_user
from core.errors import CoursewireError
from core.http import created, read_form, read_json, redirect
from core.i18n import gettext as _
from core.ids import id_or_not_found

PAGE = "/admin/sign-in-providers"


async def providers_page(request: Request) -> Response:
    user = await require_user(request)
    providers.require_admin(user)
    form: dict[str, str] = {}
    message, errors, status = None, {}, 200
    if request.method == "POST":
        form = await read_form(request)
        try:
            await providers.add_provider(user, form)
            form, message = {}, _("Provider added.")
        except CoursewireError as exc:
            message, errors, status = exc.message, exc.fields, exc.status
            form = {k: v for k, v in form.items() if k != "client_secret"}
    base = request.app.state.runtime.settings.public_url
    return await page(request, "accounts/oidc_providers.html", status_code=status, form=form,
                      errors=errors, message=message, base_url=base,
                      items=await providers.list_providers(user))


async def delete_provider_form(request: Request) -> Response:
    user = await require_user(request)
    number = id_or_not_found(request.path_params["provider_id"], _("No such sign-in provider."))
    await providers.delete_provider(user, number)
    return redirect(request, PAGE)


async def api_providers(request: Request) -> Response:
    """List the sign-in providers (GET) or add one (POST), site admins only."""
    user = await require_user(request)
    if request.method == "GET":
        return JSONResponse([providers.provider_json(p)
                             for p in await providers.list_providers(user)])
    providers.require_admin(user)
    provider = await providers.add_provider(user, await read_json(request))
    return created(providers.provider_json(provider))


async def api_provider(request: Request) -> Response:
    user = await require_user(request)
    number = id_or_not_found(request.path_params["provider_id"], _("No such sign-in provider."))
    await providers.delete_provider(user, number)
    return Response(status_code=204)


routes = [
    Route(PAGE, providers_page, methods=["GET", "POST"]),
    Route(PAGE + "/{provider_id}/delete", delete_provider_form, methods=["POST"]),
    Route("/api/v1/admin/sign-in-providers", api_providers, methods=["GET", "POST"]),
    Route("/api/v1/admin/sign-in-providers/{provider_id}", api_provider, methods=["DELETE"]),
]
