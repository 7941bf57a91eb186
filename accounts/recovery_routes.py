"""Forgotten passwords and mailed links: the "Forgot password?" and "Choose a new password"
pages, email verification, and the password-reset endpoints of the JSON API."""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.links import EXPIRED, SETS_PASSWORD, link_works
from accounts.pages import page
from accounts.recovery import check_reset_request, choose_password, mail_reset_link
from accounts.session import log_out
from accounts.verification import verify_email
from core.body_size import BodySize, limit_body
from core.errors import CoursewireError
from core.http import client_ip, read_form, read_json, redirect
from core.i18n import N_
from core.i18n import gettext as _

SENT = N_("If an account uses this address, we have mailed it a link to choose a new "
          "password. The link works once, for a limited time.")
CHANGED = N_("Your password was changed. Sign in with the new one.")


async def _ask_for_reset(request: Request, email: object) -> BackgroundTask:
    """Check the request; the mail is prepared by the returned task, after the answer."""
    runtime = request.app.state.runtime
    address = await check_reset_request(email, client_ip=client_ip(request),
                                        limiter=runtime.limiter, settings=runtime.settings)
    return BackgroundTask(mail_reset_link, address, limiter=runtime.limiter,
                          settings=runtime.settings)


async def forgot_password_page(request: Request) -> Response:
    if request.method == "GET":
        return await page(request, "accounts/forgot_password.html", form={}, errors={})
    form = await read_form(request)
    try:
        mail_link = await _ask_for_reset(request, form.get("email"))
    except CoursewireError as exc:
        return await page(request, "accounts/forgot_password.html", status_code=exc.status,
                          form=form, errors=exc.fields, message=exc.message)
    response = await page(request, "accounts/forgot_password.html", form=form, errors={},
                          message=_(SENT), sent=True)
    response.background = mail_link
    return response


async def choose_password_page(request: Request) -> Response:
    if request.method == "GET":
        token = request.query_params.get("token", "")
        if not await link_works(token, SETS_PASSWORD):
            return await page(request, "accounts/choose_password.html", status_code=400,
                              form={}, errors={}, message=_(EXPIRED), expired=True)
        return await page(request, "accounts/choose_password.html", form={"token": token},
                          errors={})
    form = await read_form(request)
    try:
        await choose_password(form.get("token"), form.get("password"), form.get("confirm"))
    except CoursewireError as exc:
        return await page(request, "accounts/choose_password.html", status_code=exc.status,
                          form=form, errors=exc.fields, message=exc.message,
                          expired="token" in exc.fields)
    log_out(request)
    return redirect(request, "/login?reset=done")


async def verify_email_page(request: Request) -> Response:
    try:
        await verify_email(request.query_params.get("token"))
    except CoursewireError as exc:
        return await page(request, "accounts/email_verified.html", status_code=exc.status,
                          message=exc.message, errors=exc.fields)
    return await page(request, "accounts/email_verified.html", errors={},
                      message=_("Thank you: your email address is verified."))


async def api_password_reset(request: Request) -> Response:
    """Mail a password reset link (202 whether or not the account exists)."""
    data = await read_json(request)
    return JSONResponse({"detail": _(SENT)}, status_code=202,
                        background=await _ask_for_reset(request, data.get("email")))


async def api_password_reset_confirm(request: Request) -> Response:
    """Set a new password with a mailed token; the account's other sessions end."""
    data = await read_json(request)
    password = data.get("password")
    user = await choose_password(data.get("token"), password, password)
    return JSONResponse({"id": user.id, "email": user.email, "name": user.name})


routes = [
    limit_body(BodySize.CREDENTIALS,
               Route("/password-reset", forgot_password_page, methods=["GET", "POST"])),
    limit_body(BodySize.CREDENTIALS,
               Route("/password-reset/confirm", choose_password_page, methods=["GET", "POST"])),
    Route("/verify-email", verify_email_page, methods=["GET"]),
    limit_body(BodySize.CREDENTIALS,
               Route("/api/v1/auth/password-reset", api_password_reset, methods=["POST"])),
    limit_body(BodySize.CREDENTIALS, Route("/api/v1/auth/password-reset/confirm",
                                           api_password_reset_confirm, methods=["POST"])),
]
