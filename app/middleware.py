"""Request guards applied to every HTTP request: the route's body limit, CSRF, no NUL in
URLs or forms.

Nothing here buffers a body before the route has been found and has checked who is asking
(see core.body_size): the body reaches the route as a stream that is refused (413) once it
passes the route's limit and whose form text is checked for NUL as it goes. The one
exception is a form that carries its CSRF token in the body, read (up to the form limit)
only when the session holds a token it could match.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qs

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accounts.session import CSRF_FIELD, CSRF_HEADER, csrf_matches, uses_session_auth
from core.body_size import CREDENTIALS_BYTES, BodySize, body_size_of
from core.errors import BadInput, CoursewireError, NotFound, PermissionDenied, TooLarge
from core.i18n import gettext as _
from core.text import BAD_TEXT_MESSAGE, has_bad_text

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# These JSON endpoints don't use the session cookie, so a forged request gains nothing.
CSRF_EXEMPT = {"/api/v1/auth/token", "/api/v1/auth/register", "/api/v1/auth/password-reset",
               "/api/v1/auth/password-reset/confirm"}
# External graders post results here; the per-submission token in the URL is the
# credential (never a cookie), so there is nothing for CSRF to protect.
CSRF_EXEMPT_PREFIXES = ("/api/v1/grader/",)
# An LTI platform posts these from its own site: a launch is vouched for by the platform's
# signed id_token and the state cookie this browser got at login (lti/launch.py), and a
# login initiation only starts a login. Neither acts on the session.
CSRF_EXEMPT_PATHS_LTI = {"/lti/login", "/lti/launch"}


class RequestGuard:
    """Checks URLs, limits each route's body as it streams, and checks CSRF.

    CSRF applies to requests authenticated by the session cookie: the token must come in
    the X-CSRF-Token header (htmx sends it) or a `csrf_token` form field (plain forms).
    """

    def __init__(self, app: ASGIApp, max_body: int, max_upload: int) -> None:
        self.app = app
        self.limits = {BodySize.CREDENTIALS: min(CREDENTIALS_BYTES, max_body),
                       BodySize.FORM: max_body, BodySize.UPLOAD: max_upload}

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
        route = _route_for(scope)
        if route is None:  # no route, or not this method: a 404/405 that reads nothing
            body = StreamedBody(scope, receive, 0)
            await self.app(scope, body.receive, send)
            return
        body = StreamedBody(scope, receive, self.limits[body_size_of(route)])
        try:
            await self._check_csrf(scope, body)
        except CoursewireError as exc:
            await _send_error(scope, send, exc)
            return
        await self.app(scope, body.receive, send)

    async def _check_csrf(self, scope: Scope, body: StreamedBody) -> None:
        conn = HTTPConnection(scope)
        path = scope["path"]
        if (path in CSRF_EXEMPT or path in CSRF_EXEMPT_PATHS_LTI
                or path.startswith(CSRF_EXEMPT_PREFIXES)
                or not uses_session_auth(conn)):
            return
        if path.startswith("/api/") and not _signed_in(conn):
            return  # no session to abuse: the route answers 401 (the API contract), not a CSRF 403
        supplied = conn.headers.get(CSRF_HEADER)
        content_type = conn.headers.get("content-type", "")
        has_token = "session" in scope and bool(conn.session.get("csrf"))
        if (not supplied and has_token
                and content_type.startswith("application/x-www-form-urlencoded")):
            form = await body.read_all(self.limits[BodySize.FORM])
            values = parse_qs(form.decode("latin-1"), max_num_fields=1000).get(CSRF_FIELD)
            supplied = values[0] if values else None
        if not supplied and content_type.startswith("multipart/form-data"):
            supplied = conn.query_params.get(CSRF_FIELD)
        if not csrf_matches(conn, supplied):
            raise PermissionDenied(
                _("This form has expired or didn't come from Coursewire (CSRF check "
                  "failed). Reload the page and try again."))


def _signed_in(conn: HTTPConnection) -> bool:
    return "session" in conn.scope and isinstance(conn.session.get("uid"), int)


def _route_for(scope: Scope) -> BaseRoute | None:
    """The route that will answer this request (as the router will find it), if any."""
    router = scope["app"].router
    index = getattr(router, "index", None)  # app.route_index.IndexedRouter's
    if index is None:
        return _match(router.routes, scope)
    found = index.full_match(scope)
    return _match([found[0]], scope) if found is not None else None


def _match(routes: Iterable[BaseRoute], scope: Scope) -> BaseRoute | None:
    for route in routes:
        match, child_scope = route.matches(scope)
        if match is Match.FULL:
            if isinstance(route, Mount) and route.routes:
                return _match(route.routes, {**scope, **child_scope}) or route
            return route
    return None


class StreamedBody:
    """The request body as the route reads it: a 413 as soon as the declared length or
    the bytes streamed pass `limit`, nothing kept but what the route asks for, and form
    text checked for NUL chunk by chunk."""

    def __init__(self, scope: Scope, receive: Receive, limit: int) -> None:
        self._receive = receive
        self.limit = limit
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        self.declared = int(declared) if declared.isdigit() else None
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        self.unread = chunked or bool(self.declared)  # body bytes the client may still send
        self.size = 0
        self._replay: bytes | None = None
        self._nul = NulScanner.for_content_type(headers.get("content-type", ""))

    def _too_large(self) -> TooLarge:
        return TooLarge(_("The request body is larger than %(limit)s bytes, the limit for "
                          "this address.", limit=format(self.limit, ",")))

    async def receive(self) -> Message:
        if self._replay is not None:
            body, self._replay = self._replay, None
            return {"type": "http.request", "body": body, "more_body": False}
        if not self.unread:
            return await self._receive()  # the end was read: now only a disconnect comes
        if self.declared is not None and self.declared > self.limit:
            raise self._too_large()
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        chunk = message.get("body", b"")
        self.size += len(chunk)
        if self.size > self.limit:
            raise self._too_large()
        if self._nul is not None:
            self._nul.feed(chunk)
        if not message.get("more_body", False):
            self.unread = False
            if self._nul is not None:
                self._nul.finish()
        return message

    async def read_all(self, limit: int) -> bytes:
        """Read the whole body (at most `limit` bytes) now; the route then gets it replayed."""
        self.limit = min(self.limit, limit)
        chunks: list[bytes] = []
        while self.unread:
            message = await self.receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
        self._replay = b"".join(chunks)
        return self._replay


def _form_nul() -> BadInput:
    return BadInput(_("A form field: %(problem)s", problem=_(BAD_TEXT_MESSAGE)))


class NulScanner:
    """Form fields (every field of every route, so no route has to remember) hold no NUL,
    checked as the body streams.

    Starlette decodes form text with replacement characters, so a lone surrogate can't
    arrive this way; JSON bodies are checked by core.http.read_json.
    """

    @staticmethod
    def for_content_type(content_type: str) -> NulScanner | None:
        if content_type.startswith("application/x-www-form-urlencoded"):
            return UrlencodedNulScanner()
        if content_type.startswith("multipart/form-data"):
            boundary = parse_options_header(content_type)[1].get(b"boundary")
            return MultipartNulScanner(boundary) if boundary else None
        return None

    def feed(self, chunk: bytes) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """The body has ended."""


class UrlencodedNulScanner(NulScanner):
    """A NUL, raw or percent-encoded, anywhere in the body (names and values alike)."""

    def __init__(self) -> None:
        self._tail = b""  # the end of the last chunk, for a `%00` split between chunks

    def feed(self, chunk: bytes) -> None:
        window = self._tail + chunk
        if b"\x00" in window or b"%00" in window:
            raise _form_nul()
        self._tail = window[-2:]


class MultipartNulScanner(NulScanner):
    """A NUL in a text field's value or in any part's headers (names, filenames).

    File contents may hold anything and are skipped. A body that doesn't parse is left for
    the route's own form parsing to refuse.
    """

    def __init__(self, boundary: bytes) -> None:
        self.bad = self.in_file = self.broken = False
        self.field = self.value = b""
        self.parser = MultipartParser(boundary, {
            "on_part_begin": self._on_part_begin, "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value, "on_header_end": self._on_header_end,
            "on_part_data": self._on_part_data})

    def feed(self, chunk: bytes) -> None:
        if not self.broken:
            try:
                self.parser.write(chunk)
            except Exception:  # malformed: Starlette's own parser reports it to the client
                self.broken = True
        if self.bad:
            raise _form_nul()

    def finish(self) -> None:
        if not self.broken:
            try:
                self.parser.finalize()
            except Exception:
                self.broken = True
        if self.bad:
            raise _form_nul()

    def _on_part_begin(self) -> None:
        self.in_file = False

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def _on_header_end(self) -> None:
        if b"\x00" in self.value:
            self.bad = True
        if self.field.lower() == b"content-disposition" and b"filename" in self.value:
            self.in_file = True
        self.field = self.value = b""

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self.in_file and b"\x00" in data[start:end]:
            self.bad = True


def _check_url(scope: Scope) -> None:
    """No path or query holds a NUL: no id or name can, and PostgreSQL would refuse it."""
    if has_bad_text(scope["path"]):
        raise NotFound(_("There is no such page."))
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        raise BadInput(_("The URL's query: %(problem)s", problem=_(BAD_TEXT_MESSAGE)))


async def _send_error(scope: Scope, send: Send, exc: CoursewireError) -> None:
    from app.errors_http import error_response

    request = Request(scope)
    response = error_response(request, exc)
    await response(scope, _drain, send)


async def _drain() -> Message:
    return {"type": "http.disconnect"}
