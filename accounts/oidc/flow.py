"""The round trip to the provider: the authorization request (code flow with PKCE, a state
and a nonce) and the provider's answer, exchanged for tokens and checked.

The state is bound twice: it is stored (with the nonce and the PKCE verifier) in a row that
the answer deletes, so it is single-use, and it is in the browser's session, so only the
browser that started the sign-in can finish it."""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError

from accounts.oidc.discovery import DISCOVERY, FETCH_TIMEOUT
from accounts.oidc.errors import ProviderUnavailable, SignInRefused
from accounts.oidc.id_token import verify_id_token
from core.clock import now
from core.i18n import gettext as _
from models.oidc import OidcLogin, OidcProvider

with warnings.catch_warnings():
    # authlib 1.9 warns that it found httpx rather than httpx2; httpx is what we use
    # (pyproject keeps authlib below 1.10). Not a message for whoever runs the server.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client
from models.users import User

LOGIN_TTL = timedelta(minutes=10)
MAX_PARAM = 2000


@dataclass(frozen=True)
class Answer:
    """A checked answer: who the provider says this is, and what the sign-in was for."""

    provider: OidcProvider
    claims: dict[str, Any]
    link_user_id: int | None  # a signed-in user linking this provider from their profile
    next_url: str


def _client(provider: OidcProvider, redirect_uri: str) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(client_id=provider.client_id,
                             client_secret=provider.client_secret, scope=provider.scopes,
                             redirect_uri=redirect_uri, code_challenge_method="S256",
                             timeout=FETCH_TIMEOUT)


async def start_sign_in(provider: OidcProvider, redirect_uri: str, *, next_url: str = "/",
                        link_user: User | None = None) -> tuple[str, str]:
    """The provider's authorization URL to send the browser to, and the state to keep in
    its session."""
    metadata = await DISCOVERY.get().metadata(provider.issuer)
    state, nonce, verifier = (secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                              generate_token(64))
    await OidcLogin.filter(expires_at__lt=now()).delete()  # keep the table small
    await OidcLogin.create(state=state, nonce=nonce, code_verifier=verifier,
                           provider=provider, link_user=link_user, next_url=next_url,
                           expires_at=now() + LOGIN_TTL)
    async with _client(provider, redirect_uri) as client:
        url, _state = client.create_authorization_url(
            metadata.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier)
    return url, state


def _provider_error(params: dict[str, str]) -> SignInRefused:
    if params["error"] == "access_denied":
        return SignInRefused(_("You cancelled the sign-in (or the provider refused it). "
                               "Nobody was signed in."), status=403)
    description = (params.get("error_description") or params["error"])[:200]
    return SignInRefused(_("The provider could not sign you in: %(reason)s",
                           reason=description))


async def _take_login(state: str | None, session_state: str | None) -> OidcLogin:
    """The sign-in `state` started in this browser, used up now (a replay finds nothing)."""
    stale = SignInRefused(_("This sign-in has expired, was already used or was started in "
                            "another browser. Please start again."))
    if not state or not session_state or not secrets.compare_digest(state, session_state):
        raise stale
    login = await OidcLogin.get_or_none(state=state[:64]).prefetch_related("provider")
    if login is None or not await OidcLogin.filter(id=login.id).delete():
        raise stale  # a concurrent answer with the same state took it first
    if login.expires_at < now():
        raise stale
    return login


async def finish_sign_in(slug: str, params: dict[str, str], session_state: str | None,
                         redirect_uri: str) -> Answer:
    """Check the provider's answer at our callback, exchange its code (with the PKCE
    verifier) and verify the id_token."""
    if any(len(v) > MAX_PARAM for v in params.values()):
        raise SignInRefused(_("The provider's answer is too long."))
    if params.get("error"):
        if params.get("state") and params.get("state") == session_state:
            await OidcLogin.filter(state=params["state"][:64]).delete()
        raise _provider_error(params)
    login = await _take_login(params.get("state"), session_state)
    provider = login.provider
    if provider.slug != slug:
        raise SignInRefused(_("This answer is for another sign-in provider."))
    if not params.get("code"):
        raise SignInRefused(_("The provider's answer has no authorization code."))
    metadata = await DISCOVERY.get().metadata(provider.issuer)
    try:
        async with _client(provider, redirect_uri) as client:
            token = await client.fetch_token(metadata.token_endpoint, code=params["code"],
                                             code_verifier=login.code_verifier)
    except OAuthError as exc:
        raise SignInRefused(_("The provider refused to complete the sign-in: %(reason)s",
                              reason=str(exc.error)[:200])) from None
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(_(
            "The sign-in service could not be reached (%(reason)s). Nobody was signed "
            "in. Try again in a moment, or log in with your password.",
            reason=exc.__class__.__name__)) from None
    except ValueError:
        raise ProviderUnavailable(_("The sign-in service answered with something that is "
                                    "not a token. Try again in a moment.")) from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefused(_("The provider sent no id_token (is the scope openid set?)."))
    claims = await verify_id_token(id_token, metadata, provider.client_id, login.nonce)
    return Answer(provider, claims, login.link_user_id, login.next_url)
