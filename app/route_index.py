"""The app's routes, found as Starlette's Router finds them, without trying every one.

Starlette's Router tries each route's regex in order (the first full match wins, else the
first partial one: the path matched but not the method). With about 200 routes that was a
fifth of a millisecond per lookup, and a request that sends a body looks its route up twice
(app.middleware's body limit, then the router): more than the whole of some requests'
own work. `RouteIndex` keeps the routes in a tree by their path's segments, a parameter
segment (`{id}`, which never spans a `/`) as a wildcard, and tries only the routes on the
branches a request's path walks, in their original order: a superset of the routes that
can match, so the same route answers. A route whose parameter may span segments
(`{rest:path}`, a Mount) sits where that parameter starts and is tried for every path
below it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.routing import BaseRoute, Match, Mount, Router, get_route_path
from starlette.types import Receive, Scope, Send

# A path segment with a parameter of one of these convertors matches one whole segment.
ONE_SEGMENT = ("str", "int", "float", "uuid")
WILD = "{}"  # the tree's key for such a segment (no literal segment is "{}")


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    own: list[tuple[int, BaseRoute]] = field(default_factory=list)  # routes that end here


def route_keys(path: str, prefix_only: bool = False) -> tuple[str, ...]:
    """A route path's segments as tree keys: literal, or WILD for a segment with
    one-segment parameters; up to (not including) a segment whose parameter may span
    segments. `prefix_only` (a Mount): the segments its path starts with."""
    keys = []
    for segment in path.split("/")[1:]:
        if "{" in segment:
            convertors = [c or "str" for c in re.findall(r"\{[^}:]*:?([^}]*)\}", segment)]
            if not all(c in ONE_SEGMENT for c in convertors):
                break
            keys.append(WILD)
        else:
            keys.append(segment)
    if prefix_only and keys and keys[-1] == "":
        keys.pop()
    return tuple(keys)


class RouteIndex:
    """`routes` in a tree by their path segments (see the module's docstring)."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.size = len(routes)
        self._root = _Node()
        for index, route in enumerate(routes):
            path = getattr(route, "path", None)
            # A route without a path (none of ours) is tried for every request; a Mount
            # for every path under its own.
            keys = (route_keys(path, prefix_only=isinstance(route, Mount))
                    if isinstance(path, str) else ())
            node = self._root
            for key in keys:
                node = node.children.setdefault(key, _Node())
            node.own.append((index, route))

    def candidates(self, path: str) -> list[BaseRoute]:
        """The routes that may match `path`, in their order."""
        found = list(self._root.own)
        level = [self._root]
        for segment in path.split("/")[1:]:
            below = []
            for node in level:
                literal = node.children.get(segment) if segment != WILD else None
                for child in (literal, node.children.get(WILD)):
                    if child is not None:
                        below.append(child)
                        found += child.own
            if not below:
                break
            level = below
        found.sort(key=lambda pair: pair[0])
        return [route for _, route in found]

    def full_match(self, scope: Scope) -> tuple[BaseRoute, Scope] | None:
        """The first route in order that fully matches (path and method), with its child
        scope; None if none does (Starlette's Router then decides: 405, 404, a redirect)."""
        for route in self.candidates(get_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return route, child_scope
        return None


class IndexedRouter(Router):
    """Starlette's Router, which answers a request that fully matches a route through the
    index; anything else (a 404, a 405, a slash redirect, lifespan) the Router's own way.
    `routes` stays the plain list: routes added to it later are indexed on the next
    request."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        super().__init__(list(routes))
        self._index = RouteIndex(self.routes)

    @property
    def index(self) -> RouteIndex:
        if self._index.size != len(self.routes):
            self._index = RouteIndex(self.routes)
        return self._index

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            found = self.index.full_match(scope)
            if found is not None:
                route, child_scope = found
                scope.setdefault("router", self)
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
        await super().app(scope, receive, send)
