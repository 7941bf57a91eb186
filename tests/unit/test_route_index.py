"""app.route_index finds, for every path and method, the route Starlette's own scan of all
routes in order finds (the first full match), for paths made from every route of the app
and for paths no route has; what matches nothing fully (404, 405, slash redirects) the
Router still answers its own way, and routes added later are found."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Match, Route

from app.application import create_app
from app.route_index import WILD, IndexedRouter, RouteIndex, route_keys
from core.settings import load_settings

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _scan(routes: list[BaseRoute], scope: dict) -> BaseRoute | None:
    """The first route in order that fully matches, as Starlette's Router finds it."""
    for route in routes:
        if route.matches(scope)[0] is Match.FULL:
            return route
    return None


def _scope(path: str, method: str) -> dict:
    return {"type": "http", "path": path, "method": method, "root_path": "",
            "headers": [], "query_string": b""}


def _sample_paths(routes: list[BaseRoute]) -> set[str]:
    """Each route's path with its parameters filled in a few ways, and a few near misses."""
    paths = {"/", "//", "/api", "/api/v1", "/api/v1/", "/nope", "/static", "/static/",
             "/static/app.css", "/static/vendor/x/y.js", "/courses", "/courses/",
             "/api/v1/me/", "/API/v1/me", "/courses/{}/units/u", "/courses/a//units"}
    for route in routes:
        path = getattr(route, "path", "")
        for value in ("1", "course-v1:Org+N+2026", "x y", "12345678901234567890"):
            filled = re.sub(r"\{[^}]*\}", value, path)
            paths |= {filled, filled + "/", filled + "/extra", filled.rstrip("/") + "x"}
    return paths


@pytest.fixture(scope="module")
def router() -> IndexedRouter:
    app = create_app(load_settings({}))
    assert isinstance(app.starlette.router, IndexedRouter)
    assert len(app.starlette.routes) > 100
    return app.starlette.router


def test_the_index_finds_the_route_a_full_scan_finds(router: IndexedRouter):
    checked = 0
    for path in sorted(_sample_paths(router.routes)):
        for method in METHODS:
            scope = _scope(path, method)
            found = router.index.full_match(scope)
            assert (found[0] if found else None) is _scan(router.routes, scope), (path, method)
            checked += 1
    assert checked > 3000


def _endpoint(name: str):
    async def endpoint(request):
        return PlainTextResponse(name)
    return endpoint


async def test_order_wins_and_the_router_answers_the_rest():
    routes = [Route("/a/{x}", _endpoint("a-x-post"), methods=["POST"]),
              Route("/a/b", _endpoint("a-b")),
              Route("/{anything}/b", _endpoint("any-b")),
              Route("/a/{x}", _endpoint("a-x")),
              Route("/r/{rest:path}", _endpoint("rest-patch"), methods=["PATCH"]),
              Route("/slash/", _endpoint("slash"))]
    router = IndexedRouter(routes)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=router),
                                 base_url="http://test") as client:
        for path, method, body in (("/a/b", "GET", "a-b"), ("/a/b", "POST", "a-x-post"),
                                   ("/a/c", "GET", "a-x"), ("/z/b", "GET", "any-b"),
                                   ("/r/q/s", "PATCH", "rest-patch")):
            response = await client.request(method, path)
            assert (response.status_code, response.text) == (200, body), (path, method)
        assert (await client.delete("/a/b")).status_code == 405  # the path, not the method
        assert (await client.get("/r/q/s")).status_code == 405
        assert (await client.get("/nothing/here")).status_code == 404
        moved = await client.get("/slash")
        assert moved.status_code == 307 and moved.headers["location"].endswith("/slash/")
        router.routes.append(Route("/late", _endpoint("late")))  # indexed when next asked
        assert (await client.get("/late")).text == "late"
    assert router.url_path_for("endpoint", x="q") == "/a/q"  # the first named so


def test_route_keys():
    assert route_keys("/api/v1/quiz-attempts/{id:int}/answers/{q}") == (
        "api", "v1", "quiz-attempts", WILD, "answers", WILD)
    assert route_keys("/") == ("",)
    assert route_keys("/{rest:path}") == ()
    assert route_keys("/files/{rest:path}/raw") == ("files",)
    assert route_keys("/files/report-{n}.pdf") == ("files", WILD)
    assert route_keys("/courses/") == ("courses", "")
    assert route_keys("/static", prefix_only=True) == ("static",)
    assert RouteIndex([]).candidates("/anything") == []
