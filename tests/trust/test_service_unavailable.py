"""A request that meets a database or broker outage answers 503 with Retry-After (JSON under
/api, the error page elsewhere), also when the ORM wraps the lost connection; other bugs
stay 500. (tests/faults/test_postgres_restart.py does it with a real PostgreSQL crash.)"""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.routing import Route
from tortoise.exceptions import OperationalError

from app.errors_http import EXCEPTION_HANDLERS


def _wrapped() -> Exception:
    try:
        raise asyncpg.exceptions.AdminShutdownError("terminating connection")
    except asyncpg.PostgresError as exc:
        try:
            raise OperationalError(exc) from exc
        except OperationalError as wrapped:
            return wrapped


FAILURES = {
    "refused": ConnectionRefusedError(111, "Connection refused"),
    "closed": asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
    "shutdown": asyncpg.exceptions.CannotConnectNowError("the database is starting up"),
    "redis": RedisConnectionError("Error 111 connecting to 127.0.0.1:6379"),
    "wrapped": _wrapped(),
    "bug": KeyError("a plain bug"),
}


async def fail(request: Request):
    raise FAILURES[request.path_params["kind"]]


def make_client() -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/api/v1/fail/{kind}", fail), Route("/page/{kind}", fail)],
                    middleware=[Middleware(SessionMiddleware, secret_key="x")],
                    exception_handlers=EXCEPTION_HANDLERS)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.mark.parametrize("kind", ["refused", "closed", "shutdown", "redis", "wrapped"])
async def test_an_outage_is_a_503_with_retry_after(kind):
    async with make_client() as c:
        r = await c.get(f"/api/v1/fail/{kind}")
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "service_unavailable"
        assert r.headers["retry-after"] == "5"
        page = await c.get(f"/page/{kind}")
        assert page.status_code == 503 and "text/html" in page.headers["content-type"]


async def test_a_bug_is_still_a_500():
    async with make_client() as c:
        r = await c.get("/api/v1/fail/bug")
        assert r.status_code == 500 and r.json()["error"]["code"] == "server_error"
