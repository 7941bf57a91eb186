"""Small request/response helpers shared by routes: JSON bodies, forms, page rendering."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from app.auth.session import csrf_token, current_user
from app.errors import BadInput
from app.templating import env


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object body, or BadInput with a clear message."""
    body = await request.body()
    if not body:
        raise BadInput("Send a JSON object body.")
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"Malformed JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadInput("The body must be a JSON object.")
    return data


async def read_form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def page(request: Request, template: str, status_code: int = 200,
               **context: Any) -> HTMLResponse:
    """Render a page (or, for an htmx request, the same template's fragment)."""
    user = await current_user(request)
    html = env.get_template(template).render(
        request=request, user=user, csrf_token=csrf_token(request),
        htmx=request.headers.get("hx-request") == "true", status_code=status_code, **context,
    )
    return HTMLResponse(html, status_code=status_code)


def created(data: Any) -> JSONResponse:
    return JSONResponse(data, status_code=201)


def redirect(request: Request, url: str) -> Response:
    """Redirect that works for both htmx requests (HX-Redirect) and plain forms."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return Response(status_code=303, headers={"Location": url})
