"""Idempotency-Key on the JSON API's POSTs: a retried request is answered, not redone.

A client that did not get an answer (a timeout, a dropped connection, a 5xx) repeats its
POST with the same `Idempotency-Key` header. The first request with a key runs and, if it
succeeds (2xx), its response is stored for 24 hours; the same key from the same user with
the same request (method, path, query, body) gets that response again, with
`Idempotent-Replayed: true`, and nothing is written twice. The same key with a different
request is 422; while the first is still being answered, 409 (retry shortly). A failed
request (4xx, 5xx) stores nothing, so it can be corrected and sent again with its key.

One middleware for every route, after authentication, CSRF and body limits (RequestGuard),
so no domain keeps its own copy. Requests without the header, anonymous ones and the
credential endpoints pass through untouched.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import IntegrityError

from accounts.session import current_user
from app.errors_http import error_response
from core.clock import now
from core.errors import BadInput, Conflict, CoursewireError, InvalidState
from core.i18n import gettext as _
from core.openapi import IDEMPOTENCY_EXEMPT
from models.idempotency import IdempotentRequest
from models.users import User

KEY_HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
KEEP_FOR = timedelta(hours=24)
# A first request still "in progress" after this long died with its process: take it over.
ABANDONED_AFTER = timedelta(minutes=5)
MAX_STORED_BODY = 1_000_000
PRUNE_EVERY = 100  # stored requests: every this many new keys, expired ones are deleted
_NOT_STORED_HEADERS = {b"set-cookie", b"date", b"server"}


class KeyReused(InvalidState):
    code = "idempotency_key_reused"


def _check_key(raw: str) -> str:
    if not 0 < len(raw) <= 255 or not raw.isascii() or not raw.isprintable():
        raise BadInput(_("An Idempotency-Key is 1-255 printable ASCII characters, e.g. a "
                         "UUID."))
    return raw


def fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(),
                 scope.get("query_string", b""), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


class IdempotencyKeys:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._new_keys = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        raw_key = (Request(scope).headers.get(KEY_HEADER)
                   if scope["type"] == "http" and scope["method"] == "POST" else None)
        if (raw_key is None or not path.startswith("/api/v1/")
                or path.startswith(IDEMPOTENCY_EXEMPT)):
            await self.app(scope, receive, send)
            return
        try:
            user = await current_user(HTTPConnection(scope))
        except CoursewireError:
            user = None
        if user is None:  # the route answers 401
            await self.app(scope, receive, send)
            return
        try:
            key = _check_key(raw_key)
            body = await _read_body(receive)
            record = await self._claim(user, key, fingerprint(scope, body))
        except CoursewireError as exc:
            await error_response(Request(scope), exc)(scope, receive, send)
            return
        if record.status is not None:
            await _replay(record, send)
            return
        await self._answer(scope, _replaying(body, receive), send, record)

    async def _claim(self, user: User, key: str, print_: str) -> IdempotentRequest:
        """The stored request for this key, or a new one marked in progress."""
        for _attempt in range(3):
            moment = now()
            try:
                record = await IdempotentRequest.create(
                    user=user, key=key, fingerprint=print_, expires_at=moment + KEEP_FOR)
            except IntegrityError:
                record = await IdempotentRequest.get_or_none(user_id=user.id, key=key)
                if record is None:
                    continue  # expired and deleted meanwhile: try again
            else:
                await self._prune_now_and_then(moment)
                return record
            if record.expires_at <= moment or (
                    record.status is None and record.created_at <= moment - ABANDONED_AFTER):
                await IdempotentRequest.filter(id=record.id).delete()
                continue
            if record.fingerprint != print_:
                raise KeyReused(_("This Idempotency-Key was already used for a different "
                                  "request; send a new key for a new request."))
            if record.status is None:
                raise Conflict(_("A request with this Idempotency-Key is still being answered; "
                                 "retry in a moment."))
            return record
        raise Conflict(_("This Idempotency-Key is changing hands; retry in a moment."))

    async def _prune_now_and_then(self, moment: Any) -> None:
        self._new_keys += 1
        if self._new_keys % PRUNE_EVERY == 0:
            await IdempotentRequest.filter(expires_at__lt=moment).delete()

    async def _answer(self, scope: Scope, receive: Receive, send: Send,
                      record: IdempotentRequest) -> None:
        """Run the route, passing its answer on as it comes, and keep a 2xx answer."""
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0

        async def keeping(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and size <= MAX_STORED_BODY:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
            await send(message)

        try:
            await self.app(scope, receive, keeping)
        finally:
            await _keep(record, start, b"".join(chunks) if size <= MAX_STORED_BODY else None)


async def _keep(record: IdempotentRequest, start: Message | None, body: bytes | None) -> None:
    status = start["status"] if start else 500
    text = None
    if body is not None:
        try:
            text = body.decode()
        except UnicodeDecodeError:
            text = None
    if not 200 <= status < 300 or text is None or start is None:
        await IdempotentRequest.filter(id=record.id).delete()  # may be tried again
        return
    headers = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in start.get("headers", [])
               if k.lower() not in _NOT_STORED_HEADERS]
    await IdempotentRequest.filter(id=record.id).update(status=status, headers=headers,
                                                        body=text)


async def _replay(record: IdempotentRequest, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in record.headers or []]
    headers.append((REPLAYED_HEADER.encode(), b"true"))
    await send({"type": "http.response.start", "status": record.status, "headers": headers})
    await send({"type": "http.response.body", "body": (record.body or "").encode()})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
