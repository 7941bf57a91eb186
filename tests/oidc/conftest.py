"""A simulated provider registered through the admin API, and the round trip as a browser
makes it: our button, the provider's authorization endpoint, our callback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from core.settings import Settings
from tests.conftest import make_settings
from tests.oidc.provider import SimulatedProvider
from tests.support.databases import DatabaseFactory
from tests.support.people import bearer, person, token


@pytest.fixture
async def settings(db_factory: DatabaseFactory, tmp_path: Path) -> Settings:
    """The test client's address is the public URL: the provider sends the browser back
    to the redirect URI made from it."""
    return make_settings(tmp_path, await db_factory.new_url(), public_url="http://testserver")


@pytest.fixture
def idp() -> Iterator[SimulatedProvider]:
    provider = SimulatedProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
async def admin_token(app, client: httpx.AsyncClient) -> str:
    await person("admin@example.org", admin=True)
    return await token(client, "admin@example.org")


@pytest.fixture
async def registered(app, client: httpx.AsyncClient, admin_token: str,
                     idp: SimulatedProvider) -> SimulatedProvider:
    r = await client.post("/api/v1/admin/sign-in-providers", json=idp.registration(),
                          headers=bearer(admin_token))
    assert r.status_code == 201, r.text
    return idp


async def to_provider(client: httpx.AsyncClient, slug: str = "uni",
                      next_url: str | None = None) -> str:
    """Press "Sign in with ...": the provider's authorization URL."""
    r = await client.get(f"/sign-in/{slug}", params={"next": next_url} if next_url else None)
    assert r.status_code == 302, r.text
    return r.headers["location"]


async def back_from(client: httpx.AsyncClient, location: str) -> httpx.Response:
    """The browser arrives at our callback with the provider's answer."""
    url = urlsplit(location)
    assert url.netloc == "testserver", location
    return await client.get(url.path + "?" + url.query)


async def sign_in(client: httpx.AsyncClient, idp: SimulatedProvider,
                  slug: str = "uni") -> httpx.Response:
    return await back_from(client, idp.authorize(await to_provider(client, slug)))


async def whoami(client: httpx.AsyncClient) -> str | None:
    """The signed-in user's email, as the profile page shows it (None: nobody)."""
    r = await client.get("/profile")
    if r.status_code != 200:
        return None
    m = re.search(r"<p>[^<·]*· ([^<]+)</p>", r.text)
    return m.group(1).strip() if m else None


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, html
    return m.group(1)
