"""Sign-in with an institution in Chromium: the sign-in page's "Sign in with Uni" button
goes to a provider simulated on 127.0.0.1, which sends the browser back signed in to a new
account; the profile shows the link. Refused answers show a clear page."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests.conftest import REDIS_URL
from tests.oidc.provider import SimulatedProvider
from tests.support.live import server_env
from tests.support.servers import ROOT, ServerProcess

pytestmark = pytest.mark.browser

ADMIN, PASSWORD = "admin@example.org", "admin password 123"


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    env = server_env(db_factory, tmp_path_factory.mktemp("oidc"), REDIS_URL)
    server = ServerProcess("uvicorn", env)
    env["COURSEWIRE_PUBLIC_URL"] = server.base  # the redirect URI the provider sends back to
    server.start()
    idp = SimulatedProvider(user={"sub": "aalto-42", "email": "grace@uni.example",
                                  "email_verified": True, "name": "Grace H"}).start()
    out = subprocess.run([sys.executable, "-m", "app.cli", "createuser", ADMIN, "--name",
                          "Admin", "--password", "-", "--admin"], cwd=ROOT,
                         env={**os.environ, **env}, input=PASSWORD + "\n",
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    token = httpx.post(server.base + "/api/v1/auth/token",
                       json={"email": ADMIN, "password": PASSWORD}).json()["access_token"]
    r = httpx.post(server.base + "/api/v1/admin/sign-in-providers",
                   json=idp.registration(display_name="Uni"),
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    yield server, idp
    idp.stop()
    server.stop()


def test_sign_in_with_the_provider_from_the_sign_in_page(browser, live):
    server, _idp = live
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(server.base + "/login")
        page.click("#sign-in-uni")  # -> the provider -> our callback -> home
        page.wait_for_url(server.base + "/")
        me = ctx.request.get(server.base + "/api/v1/me").json()
        assert me["email"] == "grace@uni.example" and me["name"] == "Grace H"
        page.goto(server.base + "/profile")
        assert "Linked to your Uni account" in page.inner_text("#sign-in-links")
    finally:
        ctx.close()


def test_cancelling_at_the_provider_shows_why(browser, live):
    server, idp = live
    idp.deny = True
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(server.base + "/login")
        page.click("#sign-in-uni")
        page.wait_for_url(f"{server.base}/sign-in/uni/callback*")
        assert "You cancelled the sign-in" in page.inner_text("main")
        assert ctx.request.get(server.base + "/api/v1/me").status == 401
    finally:
        idp.deny = False
        ctx.close()
