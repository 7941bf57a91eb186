"""OIDC third-party login initiation: the platform asks us to start a login; we remember a
state (also set in the browser's cookie, so only this browser can finish) and a single-use
nonce, and send the browser to the platform's authorization endpoint."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from core.clock import now
from core.errors import BadInput, NotFound
from core.i18n import gettext as _
from lti.claims import target_of
from models.lti import LtiLoginState, LtiRegistration

LOGIN_TTL = timedelta(minutes=10)
LOGIN_FIELDS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id",
                "lti_deployment_id")
MAX_PARAM = 2000
# Platforms start deep linking at the tool's launch URL (a resource link names content).
DEEP_LINKING_TARGET = "/lti/launch"


@dataclass(frozen=True)
class LoginRedirect:
    url: str  # the platform's authorization endpoint with our request
    state: str  # for the browser's cookie


async def find_registration(issuer: str, client_id: str | None) -> LtiRegistration:
    """The registration of `issuer` (and `client_id`, needed when the issuer has several)."""
    query = LtiRegistration.filter(issuer=issuer)
    if client_id:
        query = query.filter(client_id=client_id)
    found = await query.limit(2)
    if not found:
        raise NotFound(_("This platform is not registered with Coursewire (issuer %(issuer)s). "
                         "Ask your Coursewire administrator to add it.", issuer=repr(issuer)))
    if len(found) > 1:
        raise BadInput(_("This platform has several registrations here; its login request "
                         "must name the client_id."))
    return found[0]


def _login_params(params: dict[str, str]) -> dict[str, str]:
    values = {k: params[k] for k in LOGIN_FIELDS if params.get(k)}
    missing = [k for k in ("iss", "login_hint", "target_link_uri") if k not in values]
    if missing:
        raise BadInput(_("The platform's login request lacks %(fields)s.",
                         fields=', '.join(missing)))
    if any(len(v) > MAX_PARAM for v in values.values()):
        raise BadInput(_("The platform's login request is too long."))
    target = values["target_link_uri"]
    if target_of(target) is None and urlsplit(target).path != DEEP_LINKING_TARGET:
        raise BadInput(_("The link's target is not a Coursewire course or unit (%(target)s).",
                         target=repr(target)))
    return values


async def start_login(params: dict[str, str], redirect_uri: str) -> LoginRedirect:
    """Answer a platform's login initiation with the authentication request to send the
    browser to. `redirect_uri` is our launch URL."""
    values = _login_params(params)
    registration = await find_registration(values["iss"], values.get("client_id"))
    deployment = values.get("lti_deployment_id")
    if deployment and deployment not in registration.deployment_ids:
        raise BadInput(_("Deployment %(deployment)s of this platform is not registered.",
                         deployment=repr(deployment)))
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    await LtiLoginState.filter(expires_at__lt=now()).delete()  # keep the table small
    await LtiLoginState.create(state=state, nonce=nonce, registration=registration,
                               login_params=values, expires_at=now() + LOGIN_TTL)
    request = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
               "prompt": "none", "client_id": registration.client_id,
               "redirect_uri": redirect_uri, "login_hint": values["login_hint"],
               "state": state, "nonce": nonce}
    if "lti_message_hint" in values:
        request["lti_message_hint"] = values["lti_message_hint"]
    separator = "&" if "?" in registration.auth_login_url else "?"
    return LoginRedirect(registration.auth_login_url + separator + urlencode(request), state)


async def login_params_of(state: str) -> dict[str, str]:
    """What the login `state` was started with (to start it again in a new window), or
    nothing when it is unknown or cleared away."""
    login = await LtiLoginState.get_or_none(state=state[:64]) if state else None
    return dict(login.login_params) if login is not None else {}
