"""Validating a launch: the platform's signed id_token, checked against the login this
browser started (state) and the platform's registration, claim by claim.

Every refusal is a LaunchRefused naming what was wrong, shown as a 4xx page; the login
state is spent by the first attempt whatever its outcome, so nothing can be replayed.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import exceptions as jwt_errors

from core.clock import now
from core.errors import CoursewireError
from lti import claims
from lti.claims import Target, course_role, target_of
from lti.platform_keys import PLATFORM_KEYS, KeySetUnavailable
from models.courses import Role
from models.lti import LtiLoginState, LtiRegistration

LEEWAY_SECONDS = 60  # clock skew between the platform and us
REQUIRED = ["iss", "aud", "sub", "exp", "iat", "nonce"]


class LaunchRefused(CoursewireError):
    status, code = 400, "lti_launch_refused"

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class CookiesBlocked(CoursewireError):
    """The browser sent no state cookie: it blocks cookies in the platform's frame."""

    status, code = 400, "lti_cookies_blocked"

    def __init__(self, login_params: dict[str, str]) -> None:
        super().__init__("Your browser did not keep Coursewire's cookie inside the platform's "
                         "page. Open Coursewire in a new window to continue.")
        self.login_params = login_params


class KeySetError(CoursewireError):
    status, code = 502, "lti_platform_unreachable"


@dataclass(frozen=True)
class Launch:
    """A launch whose every check passed."""

    registration: LtiRegistration
    claims: dict[str, Any]
    deployment_id: str
    role: Role
    target: Target | None  # a resource link's (None for deep linking)
    link_id: str = ""
    link_title: str = ""

    @property
    def is_deep_linking(self) -> bool:
        return self.claims.get(claims.MESSAGE_TYPE) == claims.DEEP_LINKING_REQUEST


async def _spend_login(state: str, cookie_states: list[str]) -> LtiLoginState:
    """The login this browser started with `state`, marked used (once, atomically)."""
    login = await LtiLoginState.get_or_none(state=state[:64]).prefetch_related("registration")
    if login is None or login.expires_at < now():
        raise LaunchRefused("This launch's login is unknown or has expired. Launch again "
                            "from your course in the platform.")
    if not cookie_states:
        raise CookiesBlocked(login.login_params)
    if not any(hmac.compare_digest(state, c) for c in cookie_states):
        raise LaunchRefused("This launch was started in another browser (its state does not "
                            "match this browser's). Launch again from the platform.")
    if not await LtiLoginState.filter(state=state, used_at=None).update(used_at=now()):
        raise LaunchRefused("This launch was already used (a replayed nonce). Launch again "
                            "from the platform.")
    return login


async def _verified_claims(token: str, registration: LtiRegistration) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt_errors.DecodeError:
        raise LaunchRefused("The platform's id_token is not a signed JWT.") from None
    kid = header.get("kid")
    if header.get("alg") != "RS256" or not isinstance(kid, str):
        raise LaunchRefused("The id_token must be signed with RS256 and name its key (kid).")
    try:
        key = await PLATFORM_KEYS.get().key(registration.key_set_url, kid)
    except KeySetUnavailable as exc:
        raise KeySetError(f"Coursewire could not check this launch: {exc}. Nobody was "
                          "signed in. Launch again in a moment; if this keeps happening, the "
                          "platform's administrator checks its key set URL.") from None
    if key is None:
        raise LaunchRefused("The id_token is signed with a key the platform does not publish "
                            "(bad signature).", status=401)
    try:
        return jwt.decode(token, key, algorithms=["RS256"], audience=registration.client_id,
                          issuer=registration.issuer, leeway=LEEWAY_SECONDS,
                          options={"require": REQUIRED})
    except jwt_errors.InvalidSignatureError:
        raise LaunchRefused("The id_token's signature is not valid (bad signature).",
                            status=401) from None
    except jwt_errors.ExpiredSignatureError:
        raise LaunchRefused("The id_token has expired. Launch again from the platform.",
                            status=401) from None
    except jwt_errors.InvalidAudienceError:
        raise LaunchRefused("The id_token is meant for another tool (wrong audience).",
                            status=401) from None
    except jwt_errors.InvalidIssuerError:
        raise LaunchRefused("The id_token comes from another platform than the login "
                            "(unknown issuer).", status=401) from None
    except jwt_errors.ImmatureSignatureError:
        raise LaunchRefused("The id_token was issued in the future (iat): check the "
                            "platform's clock.", status=401) from None
    except jwt_errors.MissingRequiredClaimError as exc:
        raise LaunchRefused(f"The id_token lacks the {exc.claim!r} claim.") from None
    except jwt_errors.InvalidTokenError as exc:
        raise LaunchRefused(f"The id_token is not valid ({exc}).") from None


def _check_claims(data: dict[str, Any], registration: LtiRegistration,
                  nonce: str) -> tuple[str, Role]:
    """The deployment id and course role, once the LTI claims are what a launch needs."""
    audiences = data["aud"] if isinstance(data["aud"], list) else [data["aud"]]
    if (len(audiences) > 1 or "azp" in data) and data.get("azp") != registration.client_id:
        raise LaunchRefused("The id_token's authorized party (azp) is not Coursewire.",
                            status=401)
    if not isinstance(data["nonce"], str) or not hmac.compare_digest(data["nonce"], nonce):
        raise LaunchRefused("The id_token's nonce is not this login's (a replayed or "
                            "mixed-up launch).", status=401)
    if data.get(claims.MESSAGE_TYPE) not in (claims.RESOURCE_LINK_REQUEST,
                                             claims.DEEP_LINKING_REQUEST):
        raise LaunchRefused(f"Coursewire does not handle {data.get(claims.MESSAGE_TYPE)!r} "
                            "messages here.")
    if data.get(claims.VERSION) != claims.LTI_VERSION:
        raise LaunchRefused(f"Coursewire speaks LTI {claims.LTI_VERSION}; the platform sent "
                            f"{data.get(claims.VERSION)!r}.")
    deployment = data.get(claims.DEPLOYMENT_ID)
    if not isinstance(deployment, str) or deployment not in registration.deployment_ids:
        raise LaunchRefused(f"Deployment {deployment!r} of this platform is not registered "
                            "with Coursewire (unknown deployment).", status=403)
    if not isinstance(data["sub"], str) or not data["sub"] or len(data["sub"]) > 255:
        raise LaunchRefused("The id_token names no user (sub).")
    role = course_role(data.get(claims.ROLES))
    if role is None:
        raise LaunchRefused("Your role in the platform's course (learner, teaching assistant "
                            "or instructor) was not sent, so Coursewire cannot enrol you.",
                            status=403)
    return deployment, role


async def validate_launch(form: dict[str, str], cookie_states: list[str]) -> Launch:
    """Check a launch (the form's id_token and state, the browser's state cookies)."""
    token, state = form.get("id_token"), form.get("state")
    if not token or not state:
        raise LaunchRefused("A launch posts an id_token and a state; this one did not. "
                            "Launch again from the platform.")
    login = await _spend_login(state, cookie_states)
    registration: LtiRegistration = login.registration
    data = await _verified_claims(token, registration)
    deployment, role = _check_claims(data, registration, login.nonce)
    if data[claims.MESSAGE_TYPE] == claims.DEEP_LINKING_REQUEST:
        if role != Role.INSTRUCTOR:
            raise LaunchRefused("Only instructors choose Coursewire content for the platform.",
                                status=403)
        return Launch(registration, data, deployment, role, None)
    link = data.get(claims.RESOURCE_LINK)
    if not isinstance(link, dict) or not isinstance(link.get("id"), str) or not link["id"]:
        raise LaunchRefused("The launch names no resource link.")
    target = target_of(data.get(claims.TARGET_LINK_URI))
    if target is None:
        raise LaunchRefused("The link's target is not a Coursewire course or unit.")
    title = link.get("title")
    return Launch(registration, data, deployment, role, target, link["id"][:255],
                  title[:255] if isinstance(title, str) else "")
