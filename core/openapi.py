"""The OpenAPI 3.1 document for /api/v1, served at /api/v1/openapi.json.

Each package describes its own endpoints (its `openapi.py`) with the helpers here and
hands them over in its `install()` (core.install.add_package); the Runtime gathers them
and binds them (`OPENAPI_PATHS`) for the route that serves the document. A test checks
that every /api route is described and every described path is routed.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.context import RuntimeValue


def obj(required: list[str] | None = None, **props: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
DT = {"type": "string", "format": "date-time"}
ERROR = obj(["error"], error=obj(["code", "message"], code=STR, message=STR,
                                   fields={"type": "object"}))


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def op(summary: str, ok: tuple[int, dict[str, Any]], errors: tuple[int, ...] = (),
        body: dict[str, Any] | None = None, auth: bool = True) -> dict[str, Any]:
    status, schema = ok
    responses: dict[str, Any] = {str(status): {"description": "OK", **json_body(schema)}}
    for code in (*errors, *((401,) if auth else ())):
        responses[str(code)] = {"description": "Error", **json_body(ERROR)}
    spec: dict[str, Any] = {"summary": summary, "responses": responses}
    if body is not None:
        spec["requestBody"] = {"required": True, **json_body(body)}
    if not auth:
        spec["security"] = []
    return spec


def paging_parameters(default: int, maximum: int) -> list[dict[str, Any]]:
    """`?limit=` and `?after=` of a keyset-paged list (core.paging)."""
    return [{"name": "limit", "in": "query", "required": False,
             "schema": {**INT, "minimum": 1, "maximum": maximum, "default": default}},
            {"name": "after", "in": "query", "required": False, "schema": STR,
             "description": "The key a previous page's next link gave"}]


PAGED = ("Paged by keyset: while more remain, a `Link: <url>; rel=\"next\"` header gives "
         "the next page's URL")


COURSE_ID = {"name": "course_id", "in": "path", "required": True, "schema": STR,
              "description": "course-v1:ORG+NUMBER+RUN"}

# Every installed package's endpoints, gathered by the Runtime.
OPENAPI_PATHS: RuntimeValue[dict[str, dict[str, Any]]] = RuntimeValue("OpenAPI paths")


EVENTS_RECONNECT = (
    "Live events: websocket /api/v1/events. Reconnect after every close and "
    "network failure, with capped exponential backoff and jitter (e.g. a random wait up to "
    "0.5 s, doubling to 30 s), except 4401 (not authenticated: get a new token) and 4403 "
    "(refused for good). 1012 (4012 under daphne) means the server is restarting; 4000 means "
    "the socket fell behind. A {\"event\": \"heartbeat\"} frame arrives every 25 s by "
    "default (COURSEWIRE_HEARTBEAT_SECONDS): treat about 2.5 heartbeat intervals without any "
    "frame as a dead connection (a network drop or a proxy that lost it sends no close), "
    "close it and reconnect the same way. On reconnect, subscribe with \"since\": the last seq you "
    "applied; events after it are replayed in order, each re-checked against your current "
    "rights and the item's current state (deleted or hidden posts are left out), then live "
    "ones follow; ignore a seq you already applied (an event may rarely arrive twice). "
    "{\"event\": \"resync.required\", \"data\": {\"reason\": \"replay_limit\"|"
    "\"pruned\", ...}} means more than the replay limit were missed, or `since` is older "
    "than the event log keeps (COURSEWIRE_EVENT_RETENTION_DAYS, default 7): refetch the "
    "state over this API and continue from the newest seq. POSTs take an Idempotency-Key "
    "header (see each operation).")


# Every POST under /api/v1 but these takes an Idempotency-Key (app/idempotency.py).
IDEMPOTENCY_EXEMPT = ("/api/v1/auth/", "/api/v1/grader/")
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "Send a new unique key (e.g. a UUID) with a POST and the same key when "
    "retrying it: a repeat of a request that succeeded gets the stored response again "
    "(header Idempotent-Replayed: true) and writes nothing; the same key with a different "
    "request is 422 (idempotency_key_reused), one still being answered is 409. Keys are "
    "per user and kept 24 hours; a request that failed stores nothing."}


def _with_idempotency(paths: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for path, item in paths.items():
        post = item.get("post")
        if post is not None and not path.startswith(IDEMPOTENCY_EXEMPT):
            params = [p for p in post.get("parameters", [])
                      if p.get("name", "").lower() != "idempotency-key"]
            item = {**item, "post": {**post, "parameters": [*params, IDEMPOTENCY_KEY]}}
        out[path] = item
    return out


# The event stream's own document (app.asyncapi): every event, its topics and payload.
ASYNCAPI_PATH = "/api/v1/asyncapi.json"
_ASYNCAPI = {"get": op("The AsyncAPI 3.0 document of the live events (/api/v1/events)",
                       (200, {"type": "object"}), auth=False)}


def openapi_document(paths: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The document of `paths` (default: what the installed packages handed over)."""
    paths = OPENAPI_PATHS.get() if paths is None else paths
    return {
        "openapi": "3.1.0",
        "info": {"title": "Coursewire API", "version": "1",
                 "description": "Errors are {error: {code, message, fields}} with a 4xx status. "
                 + EVENTS_RECONNECT + f" Every event and its payload: {ASYNCAPI_PATH}."},
        "externalDocs": {"description": "The live events (AsyncAPI 3.0)", "url": ASYNCAPI_PATH},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "bearerFormat": "JWT"}},
                       "schemas": {"Error": ERROR}},
        "security": [{"bearer": []}],
        "paths": {**_with_idempotency(paths), ASYNCAPI_PATH: _ASYNCAPI},
    }


async def _openapi(_request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())


openapi_route = Route("/api/v1/openapi.json", _openapi, include_in_schema=False)
