"""Public keys of identity providers and LTI platforms, fetched asynchronously from each
one's key set (JWKS) URL. LTI launches (lti.launch) and OpenID Connect sign-in
(accounts.oidc) both verify id_tokens with it.

A key set is cached for MAX_AGE. A token signed with a key id the cached set lacks makes
one refetch (the issuer rotated its keys); a key id still missing after that is
remembered for MISSING_FOR, so a stream of forged key ids cannot make us hammer the
issuer. Registered platforms and providers are trusted for outbound calls (their admin
typed the URL), so no address policy applies here, unlike grader URLs in course content.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from jwt import PyJWK
from jwt.exceptions import PyJWKError

MAX_AGE = 3600.0
MISSING_FOR = 30.0
FETCH_TIMEOUT = 10.0


class KeySetUnavailable(Exception):
    """The issuer's key set could not be fetched or read; the message says why."""


@dataclass
class _Cached:
    keys: dict[str, PyJWK]
    fetched_at: float


@dataclass
class KeySets:
    """Per key set URL: the keys by id, fetched when first needed and on rotation."""

    transport: httpx.AsyncBaseTransport | None = None
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _missing: dict[tuple[str, str], float] = field(default_factory=dict)

    async def key(self, url: str, kid: str) -> PyJWK | None:
        """The key `kid` of the set at `url`, or None when the issuer has no such key."""
        cached = self._cache.get(url)
        fresh = cached is not None and time.monotonic() - cached.fetched_at < MAX_AGE
        if cached is not None and fresh and kid in cached.keys:
            return cached.keys[kid]
        if fresh and time.monotonic() < self._missing.get((url, kid), 0.0):
            return None
        cached = self._cache[url] = _Cached(await self._fetch(url), time.monotonic())
        if kid not in cached.keys:
            self._missing[(url, kid)] = time.monotonic() + MISSING_FOR
        return cached.keys.get(kid)

    async def _fetch(self, url: str) -> dict[str, PyJWK]:
        try:
            async with httpx.AsyncClient(transport=self.transport,
                                         timeout=FETCH_TIMEOUT) as client:
                response = await client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            data: Any = json.loads(response.content)
        except (httpx.HTTPError, ValueError) as exc:
            raise KeySetUnavailable(f"the key set at {url} could not be read "
                                    f"({exc.__class__.__name__})") from None
        keys: dict[str, PyJWK] = {}
        for jwk in data.get("keys", []) if isinstance(data, dict) else []:
            if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
                continue
            try:
                keys[jwk["kid"]] = PyJWK(jwk, algorithm="RS256")
            except PyJWKError:
                continue  # a key we can't use (another type): others in the set may do
        return keys

