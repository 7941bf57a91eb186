"""Small request/response helpers shared by routes: JSON bodies, forms, redirects, client address.

Page rendering (which needs the signed-in user) lives in accounts.pages."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from core import clock
from core.errors import BadInput
from core.i18n import gettext as _
from core.text import check_json

# When the request reached this process, by the server's clock: stamped by the application
# before anything else (app.application), so a rule about time (an exam's deadline) judges
# what the client sent by when it arrived, not by how long it then queued here.
RECEIVED_AT = "coursewire.received_at"


def received_at(conn: HTTPConnection) -> datetime:
    """When the request reached this process (now, if nothing stamped it)."""
    stamped = conn.scope.get(RECEIVED_AT)
    return stamped if stamped is not None else clock.now()


def client_ip(conn: HTTPConnection) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the nearest
    untrusted address in X-Forwarded-For (proxies append, so the left part is the client's
    to invent). Proxies are trusted only when COURSEWIRE_TRUSTED_PROXIES names them.
    """
    peer = conn.client.host if conn.client else "unknown"
    trusted = _networks(conn.app.state.runtime.settings.trusted_proxies)
    if not trusted or not _is_in(peer, trusted):
        return peer
    forwarded = [a.strip() for header in conn.headers.getlist("x-forwarded-for")
                 for a in header.split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _is_in(address, trusted):
            return address
    return forwarded[0] if forwarded else peer


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(e, strict=False) for e in entries)


def _is_in(address: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


async def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object body, or BadInput with a clear message."""
    body = await request.body()
    if not body:
        raise BadInput(_("Send a JSON object body."))
    data = parse_json_text(body)
    if not isinstance(data, dict):
        raise BadInput(_("The body must be a JSON object."))
    check_json(data)
    return data


def parse_json_text(text: str | bytes) -> Any:
    """Decode JSON, turning every way it can fail into BadInput (never a 500).

    Besides syntax errors that includes nesting deep enough to exhaust the parser's stack
    (RecursionError) and numbers too long to convert (ValueError).
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(_("Malformed JSON: %(problem)s", problem=exc)) from None
    except UnicodeDecodeError:
        raise BadInput(_("Malformed JSON: the body is not UTF-8 text.")) from None
    except RecursionError:
        raise BadInput(_("Malformed JSON: it is nested too deeply.")) from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise BadInput(_("Malformed JSON: %(problem)s", problem=exc)) from None


async def read_form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def created(data: Any) -> JSONResponse:
    return JSONResponse(data, status_code=201)


def redirect(request: Request, url: str) -> Response:
    """Redirect that works for both htmx requests (HX-Redirect) and plain forms."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return Response(status_code=303, headers={"Location": url})
