"""Pages rendered for whoever is signed in: the template gets the user and a CSRF token."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from accounts.session import csrf_token, current_user
from core import clock
from core.i18n import current_language
from core.templating import env


async def page(request: Request, template: str, status_code: int = 200,
               **context: Any) -> HTMLResponse:
    """Render a page (or, for an htmx request, the same template's fragment)."""
    user = await current_user(request)  # applies the user's language over app.language's
    html = env.get_template(template).render(
        request=request, user=user, csrf_token=csrf_token(request),
        viewer_zone=user.timezone if user else None, now=clock.now(),
        language=current_language(),
        # the live client treats a socket silent for ~2.5 of these as dead
        heartbeat_seconds=request.app.state.runtime.settings.heartbeat_seconds,
        htmx=request.headers.get("hx-request") == "true", status_code=status_code, **context,
    )
    return HTMLResponse(html, status_code=status_code)
