"""The cookie that binds a login's state to the browser that started it.

The login and the launch both happen inside the platform's page (an iframe on another
site), where browsers send only cookies marked `SameSite=None; Secure`, so over https the
cookie is that, and `Partitioned` (CHIPS) so that browsers that block third-party cookies
still keep it for this platform's page. Browsers that reject `SameSite=None` (some older
Safari and Chrome) drop that cookie, so a second one without SameSite is the fallback. Over
plain http (development) `Secure` cookies are refused, so it is one `SameSite=Lax` cookie.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "lti_state"
LEGACY_COOKIE = "lti_state_legacy"
PATH = "/lti/"


def is_secure(request: Request) -> bool:
    return (request.url.scheme == "https"
            or request.app.state.runtime.settings.https_only_cookies)


def set_state_cookie(request: Request, response: Response, state: str, max_age: int) -> None:
    """`state` is URL-safe base64 (lti.login), so it needs no quoting in a cookie."""
    base = f"Max-Age={max_age}; Path={PATH}; HttpOnly"
    if is_secure(request):
        # Written by hand: http.cookies (Starlette's set_cookie) knows Partitioned only
        # from Python 3.14 on.
        response.headers.append("set-cookie", f"{COOKIE}={state}; {base}; Secure; "
                                              "SameSite=None; Partitioned")
        response.headers.append("set-cookie", f"{LEGACY_COOKIE}={state}; {base}; Secure")
    else:
        response.headers.append("set-cookie", f"{COOKIE}={state}; {base}; SameSite=Lax")


def state_cookies(request: Request) -> list[str]:
    """The state values this browser holds (either cookie)."""
    return [v for v in (request.cookies.get(COOKIE), request.cookies.get(LEGACY_COOKIE)) if v]
