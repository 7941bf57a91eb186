"""Request guards applied to every HTTP request: body size limit, CSRF, no NUL in URLs or forms."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote_to_bytes

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.session import CSRF_FIELD, CSRF_HEADER, csrf_matches, uses_session_auth
from app.errors import BadInput, CoursewireError, NotFound, PermissionDenied, TooLarge
from app.text import BAD_TEXT_MESSAGE, has_bad_text

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# These JSON endpoints don't use the session cookie, so a forged request gains nothing.
CSRF_EXEMPT = {"/api/v1/auth/token", "/api/v1/auth/register"}
# External graders post results here; the per-submission token in the URL is the
# credential (never a cookie), so there is nothing for CSRF to protect.
CSRF_EXEMPT_PREFIXES = ("/api/v1/grader/",)


class RequestGuard:
    """Buffers unsafe requests' bodies up to a limit (413 past it) and checks CSRF.

    CSRF applies to requests authenticated by the session cookie: the token must come in
    the X-CSRF-Token header (htmx sends it) or a `csrf_token` form field (plain forms).
    """

    def __init__(self, app: ASGIApp, max_body: int, max_upload: int,
                 upload_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.upload_prefixes = upload_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            _check_url(scope)
        except CoursewireError as exc:
            await _send_error(scope, send, exc)
            return
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read_body(scope, receive)
            self._check_csrf(scope, body)
            _check_form_text(scope, body)
        except CoursewireError as exc:
            await _send_error(scope, send, exc)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _limit(self, path: str) -> int:
        if any(path.startswith(p) or path.endswith(p) for p in self.upload_prefixes):
            return self.max_upload
        return self.max_body

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self._limit(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        too_large = TooLarge(f"The request body is larger than {limit:,} bytes.")
        if declared and declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _check_csrf(self, scope: Scope, body: bytes) -> None:
        conn = HTTPConnection(scope)
        path = scope["path"]
        if (path in CSRF_EXEMPT or path.startswith(CSRF_EXEMPT_PREFIXES)
                or not uses_session_auth(conn)):
            return
        supplied = conn.headers.get(CSRF_HEADER)
        content_type = conn.headers.get("content-type", "")
        if not supplied and content_type.startswith("application/x-www-form-urlencoded"):
            values = parse_qs(body.decode("latin-1"), max_num_fields=1000).get(CSRF_FIELD)
            supplied = values[0] if values else None
        if not supplied and content_type.startswith("multipart/form-data"):
            supplied = conn.query_params.get(CSRF_FIELD)
        if not csrf_matches(conn, supplied):
            raise PermissionDenied(
                "This form has expired or didn't come from Coursewire (CSRF check failed). "
                "Reload the page and try again.")


def _check_url(scope: Scope) -> None:
    """No path or query holds a NUL: no id or name can, and PostgreSQL would refuse it."""
    if has_bad_text(scope["path"]):
        raise NotFound("There is no such page.")
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        raise BadInput(f"The URL's query: {BAD_TEXT_MESSAGE}")


def _check_form_text(scope: Scope, body: bytes) -> None:
    """Form fields (every field of every route, so no route has to remember) hold no NUL.

    Starlette decodes form text with replacement characters, so a lone surrogate can't
    arrive this way; JSON bodies are checked by app.http.read_json.
    """
    content_type = Headers(scope=scope).get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        bad = b"\x00" in unquote_to_bytes(body)
    elif content_type.startswith("multipart/form-data"):
        bad = _multipart_has_nul(content_type, body)
    else:
        return
    if bad:
        raise BadInput(f"A form field: {BAD_TEXT_MESSAGE}")


def _multipart_has_nul(content_type: str, body: bytes) -> bool:
    """A NUL in a text field's value or in any part's headers (names, filenames).

    File contents may hold anything and are skipped. A body that doesn't parse is left for
    the route's own form parsing to refuse.
    """
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        return False
    state = {"bad": False, "file": False, "field": b"", "value": b""}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        value = state["value"]
        if b"\x00" in value:
            state["bad"] = True
        if state["field"].lower() == b"content-disposition" and b"filename" in value:
            state["file"] = True
        state["field"] = state["value"] = b""

    def on_part_begin() -> None:
        state["file"] = False

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if not state["file"] and b"\x00" in data[start:end]:
            state["bad"] = True

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_part_data": on_part_data})
    try:
        parser.write(body)
        parser.finalize()
    except Exception:  # malformed: Starlette's own parser reports it to the client
        return bool(state["bad"])
    return bool(state["bad"])


async def _send_error(scope: Scope, send: Send, exc: CoursewireError) -> None:
    from app.errors_http import error_response

    request = Request(scope)
    response = error_response(request, exc)
    await response(scope, _drain, send)


async def _drain() -> Message:
    return {"type": "http.disconnect"}


