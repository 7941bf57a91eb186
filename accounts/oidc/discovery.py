"""Providers' discovery documents (`<issuer>/.well-known/openid-configuration`), fetched
asynchronously and cached per issuer for MAX_AGE; and the Runtime's key sets, through which
id_tokens are verified (core.jwks, shared with LTI).

A failed fetch is not cached: the next sign-in tries again."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from accounts.oidc.errors import ProviderUnavailable
from core.context import RuntimeValue
from core.i18n import gettext as _
from core.jwks import KeySets

MAX_AGE = 3600.0
FETCH_TIMEOUT = 10.0
WELL_KNOWN = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def discovery_url(issuer: str) -> str:
    """Where `issuer` publishes its configuration (an admin may also paste that URL)."""
    issuer = issuer.rstrip("/")
    return issuer if issuer.endswith(WELL_KNOWN) else issuer + WELL_KNOWN


def _metadata(data: Any) -> ProviderMetadata:
    names = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    if not isinstance(data, dict) or not all(
            isinstance(data.get(n), str) and data[n].startswith(("http://", "https://"))
            for n in names):
        raise ValueError("incomplete discovery document")
    return ProviderMetadata(*(data[n] for n in names))


@dataclass
class Discovery:
    transport: httpx.AsyncBaseTransport | None = None
    _cache: dict[str, tuple[ProviderMetadata, float]] = field(default_factory=dict)

    async def metadata(self, issuer: str) -> ProviderMetadata:
        """The provider's endpoints; ProviderUnavailable when they can't be read."""
        url = discovery_url(issuer)
        cached = self._cache.get(url)
        if cached is not None and time.monotonic() - cached[1] < MAX_AGE:
            return cached[0]
        try:
            async with httpx.AsyncClient(transport=self.transport,
                                         timeout=FETCH_TIMEOUT) as client:
                response = await client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            metadata = _metadata(json.loads(response.content))
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(_(
                "The sign-in service could not be reached (%(reason)s). Nobody was signed "
                "in. Try again in a moment, or log in with your password.",
                reason=exc.__class__.__name__)) from None
        self._cache[url] = (metadata, time.monotonic())
        return metadata


DISCOVERY: RuntimeValue[Discovery] = RuntimeValue("OpenID Connect discovery documents")
PROVIDER_KEYS: RuntimeValue[KeySets] = RuntimeValue("OpenID Connect providers' key sets")
