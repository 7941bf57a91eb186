"""Sign-in with a provider: the button's start, the provider's answer at our callback, the
explicit link with a password, and linking/unlinking from the profile."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts.oidc import flow, linking, providers
from accounts.oidc.errors import SignInRefused
from accounts.pages import page
from accounts.routes import _safe_next
from accounts.service import authenticate
from accounts.session import current_user, log_in, require_user
from core.body_size import BodySize, limit_body
from core.errors import CoursewireError
from core.http import client_ip, read_form, redirect
from core.i18n import gettext as _
from core.ids import id_or_not_found
from models.users import User

STATE_KEY = "oidc_state"
PENDING_KEY = "oidc_link"
PENDING_SECONDS = 600  # how long an explicit link may wait for the password


def callback_url(public_url: str, slug: str) -> str:
    """The redirect URI registered at the provider. From COURSEWIRE_PUBLIC_URL, not from the
    request: behind a proxy the app sees http and its own address."""
    return f"{public_url}/sign-in/{slug}/callback"


def _callback_url(request: Request, slug: str) -> str:
    return callback_url(request.app.state.runtime.settings.public_url, slug)


async def _redirect_to_provider(request: Request, slug: str, next_url: str,
                                link_user: User | None = None) -> Response:
    provider = await providers.provider_by_slug(slug)
    url, state = await flow.start_sign_in(provider, _callback_url(request, slug),
                                          next_url=next_url, link_user=link_user)
    request.session[STATE_KEY] = state
    return RedirectResponse(url, status_code=302)


async def start(request: Request) -> Response:
    """The "Sign in with <provider>" button: off to the provider."""
    next_url = _safe_next(request.query_params.get("next"))
    return await _redirect_to_provider(request, request.path_params["slug"], next_url)


async def callback(request: Request) -> Response:
    """The provider's answer: sign in (or link), or a page saying why not."""
    slug = request.path_params["slug"]
    answer = await flow.finish_sign_in(slug, dict(request.query_params),
                                       request.session.pop(STATE_KEY, None),
                                       _callback_url(request, slug))
    identity = linking.identity_of(answer.provider, answer.claims)
    if answer.link_user_id is not None:  # linking from the profile
        user = await current_user(request)
        if user is None or user.id != answer.link_user_id:
            raise SignInRefused(_("Sign in to Coursewire again, then link the account from "
                                  "your profile."), status=401)
        await linking.link_identity(user, identity)
        return redirect(request, "/profile?linked=" + answer.provider.slug)
    outcome = await linking.sign_in_with(identity)
    if outcome.user is None:
        request.session[PENDING_KEY] = {**identity.as_session(), "next": answer.next_url,
                                        "until": time.time() + PENDING_SECONDS}
        return redirect(request, "/sign-in-link")
    log_in(request, outcome.user)
    return redirect(request, answer.next_url)


def _pending(request: Request) -> tuple[linking.Identity, str]:
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or data.get("until", 0) < time.time():
        request.session.pop(PENDING_KEY, None)
        raise SignInRefused(_("There is no sign-in waiting to be linked (it may have "
                              "expired). Please sign in with your provider again."))
    fields = {k: v for k, v in data.items() if k not in ("next", "until")}
    return linking.Identity.from_session(fields), str(data.get("next") or "/")


async def link_with_password(request: Request) -> Response:
    """An account already has the provider's address but Coursewire can't tell the same
    person owns both: its owner links them by entering the account's password once."""
    identity, next_url = _pending(request)
    form = {"email": identity.email or ""}
    if request.method == "GET":
        return await page(request, "accounts/oidc_link.html", form=form, errors={},
                          identity=identity)
    form = await read_form(request)
    runtime = request.app.state.runtime
    try:
        user = await authenticate(form.get("email"), form.get("password"),
                                  client_ip=client_ip(request), limiter=runtime.limiter,
                                  settings=runtime.settings)
        await linking.link_identity(user, identity)
    except CoursewireError as exc:
        return await page(request, "accounts/oidc_link.html", status_code=exc.status,
                          form=form, errors=exc.fields, message=exc.message,
                          identity=identity)
    log_in(request, user)  # a fresh session: the pending link goes with the old one
    return redirect(request, next_url)


async def link_from_profile(request: Request) -> Response:
    """"Link your <provider> account" on the profile: the same trip, for the signed-in user."""
    user = await require_user(request)
    form = await read_form(request)
    slug = form.get("provider") or ""
    return await _redirect_to_provider(request, slug, "/profile", link_user=user)


async def unlink(request: Request) -> Response:
    user = await require_user(request)
    number = id_or_not_found(request.path_params["link_id"], _("No such linked account."))
    await linking.unlink(user, number)
    return redirect(request, "/profile?unlinked=1")


routes = [
    Route("/sign-in/{slug}", start, methods=["GET"], name="oidc_start"),
    Route("/sign-in/{slug}/callback", callback, methods=["GET"], name="oidc_callback"),
    limit_body(BodySize.CREDENTIALS,
               Route("/sign-in-link", link_with_password, methods=["GET", "POST"])),
    Route("/profile/sign-in-links", link_from_profile, methods=["POST"]),
    Route("/profile/sign-in-links/{link_id}/remove", unlink, methods=["POST"]),
]
