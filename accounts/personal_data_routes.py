"""The person's own data: download it (`GET /api/v1/me/export`, the profile's "Download my
data"), delete the account (`DELETE /api/v1/me` and the profile's form, both asking for
the password again), and an administrator's erasure of anyone (`DELETE /api/v1/users/{id}`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.data_export import export_personal_data
from accounts.erasure import erase_user
from accounts.pages import page
from accounts.service import authenticate
from accounts.session import log_out, require_user
from core.errors import BadInput, CoursewireError, NotAuthenticated, PermissionDenied
from core.http import client_ip, read_form, read_json
from core.human_time import zone_names
from core.i18n import N_
from core.i18n import gettext as _
from core.ids import id_or_not_found
from mail.transport import outbox_folder
from models.users import User

WRONG_PASSWORD = N_("The password is not right.")
ERASED = N_("The account is erased: it can no longer sign in, and its name and email are "
            "gone.")


async def check_password(request: Request, user: User, password: object) -> None:
    """Re-authentication before deleting an account, throttled like a sign-in (a stolen
    session must not become a way to guess the password)."""
    if not isinstance(password, str) or not password:
        raise BadInput(_("Enter your password to delete your account."),
                       fields={"password": _("Required.")})
    runtime = request.app.state.runtime
    try:
        await authenticate(user.email, password, client_ip=client_ip(request),
                           limiter=runtime.limiter, settings=runtime.settings)
    except NotAuthenticated:
        raise PermissionDenied(_(WRONG_PASSWORD), fields={"password": _(WRONG_PASSWORD)}) from None


async def _erase(request: Request, user_id: int) -> None:
    settings = request.app.state.runtime.settings
    outbox = None if settings.smtp_url else outbox_folder(settings.data_dir)
    await erase_user(user_id, outbox_dir=outbox)


async def api_export(request: Request) -> Response:
    """Everything stored about the caller, as JSON (`?download=1`: as a file)."""
    user = await require_user(request)
    response = JSONResponse(await export_personal_data(user))
    if request.query_params.get("download"):
        response.headers["content-disposition"] = (
            f'attachment; filename="coursewire-data-{user.id}.json"')
    return response


async def api_delete_me(request: Request) -> Response:
    """Erase the caller's account, after checking their password."""
    user = await require_user(request)
    data = await read_json(request)
    await check_password(request, user, data.get("password"))
    await _erase(request, user.id)
    if "session" in request.scope:
        log_out(request)
    return JSONResponse({"detail": _(ERASED)}, status_code=202)


async def api_erase_user(request: Request) -> Response:
    """An administrator erases an account."""
    admin = await require_user(request)
    if not admin.is_admin:
        raise PermissionDenied(_("Only a site administrator may erase other accounts."))
    user_id = id_or_not_found(request.path_params["user_id"], _("No such user."))
    await _erase(request, user_id)
    if user_id == admin.id and "session" in request.scope:
        log_out(request)
    return JSONResponse({"detail": _(ERASED)}, status_code=202)


async def delete_account_page(request: Request) -> Response:
    """The profile's "Delete my account" form: password and a confirming tick."""
    user = await require_user(request)
    form = await read_form(request)
    try:
        if form.get("confirm") != "yes":
            raise BadInput(_("Tick the box to confirm that the account is to be deleted."),
                           fields={"confirm": _("Tick to confirm.")})
        await check_password(request, user, form.get("password"))
    except CoursewireError as exc:
        return await page(request, "accounts/profile.html", status_code=exc.status,
                          form={"timezone": user.timezone, "language": user.language or ""},
                          errors={},
                          delete_errors=exc.fields, delete_message=exc.message,
                          delete_confirmed=form.get("confirm") == "yes",
                          zones=zone_names())
    await _erase(request, user.id)
    log_out(request)
    return await page(request, "accounts/account_deleted.html")


routes = [
    Route("/api/v1/me/export", api_export, methods=["GET"]),
    Route("/api/v1/me", api_delete_me, methods=["DELETE"]),
    Route("/api/v1/users/{user_id}", api_erase_user, methods=["DELETE"]),
    Route("/profile/delete", delete_account_page, methods=["POST"]),
]
