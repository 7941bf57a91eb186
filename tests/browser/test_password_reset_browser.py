"""Forgot password in a real browser: ask for a link, read the mail from the outbox folder,
open its link, choose a new password, sign in with it. A session opened before, in another
browser, is signed out at once: its open page says so without a reload."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.browser.conftest import log_in, wait_live
from tests.conftest import REDIS_URL
from tests.support.live import seed_demo, server_env
from tests.support.mailbox import link_in, mails_to
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

ADA = "ada@demo.coursewire"
NEW_PASSWORD = "ada's brand new passphrase"


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    env = server_env(db_factory, tmp_path_factory.mktemp("reset"), REDIS_URL)
    seed_demo(env)
    proc = ServerProcess("uvicorn", env)
    env["COURSEWIRE_PUBLIC_URL"] = proc.base  # links in mail point at this server
    yield proc.start()
    proc.stop()


def _wait_for_mail(data_dir: Path, address: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if mails := mails_to(data_dir, address):
            return mails[-1]
        time.sleep(0.2)
    raise AssertionError(f"no mail to {address} in {data_dir / 'outbox'}")


def test_forgot_password_mail_link_new_password_and_the_old_session_ends(browser, server):
    old_ctx, old_page = log_in(browser, server.base, ADA)
    ctx = browser.new_context()
    try:
        wait_live(old_page)
        page = ctx.new_page()
        page.goto(server.base + "/login")
        page.click("text=Forgot password?")
        page.wait_for_url(server.base + "/password-reset")
        page.fill("#f-email", "nobody-at-all")
        page.click("#forgot-form button[type=submit]")
        page.wait_for_selector("#forgot-form .form-message.error")
        assert page.input_value("#f-email") == "nobody-at-all"  # kept on refusal
        page.fill("#f-email", ADA)
        page.click("#forgot-form button[type=submit]")
        page.wait_for_selector("#forgot-form .form-message.ok")

        mail = _wait_for_mail(Path(server.env["COURSEWIRE_DATA_DIR"]), ADA)
        assert "password" in mail["Subject"].lower()
        page.goto(link_in(mail))
        page.wait_for_selector("h1:has-text('Choose a new password')")
        page.fill("#f-password", NEW_PASSWORD)
        page.fill("#f-confirm", "not the same")
        page.click("#choose-password-form button[type=submit]")
        page.wait_for_selector("#choose-password-form .form-message.error")
        assert page.input_value("#f-password") == NEW_PASSWORD  # kept on refusal
        page.fill("#f-confirm", NEW_PASSWORD)
        page.click("#choose-password-form button[type=submit]")
        page.wait_for_url(re.compile(r"/login\?reset=done$"))
        assert "Your password was changed" in page.inner_text("#login-form")

        # The session from before the reset: its open page learns it is signed out, live.
        old_page.wait_for_selector('#live-status[data-state="signed-out"]', timeout=10_000)
        old_page.reload()
        assert old_ctx.request.get(server.base + "/api/v1/me").status == 401
        assert "Log out" not in old_page.content()

        page.fill("#f-email", ADA)
        page.fill("#f-password", NEW_PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(server.base + "/")
        assert "Log out" in page.content()
    finally:
        old_ctx.close()
        ctx.close()
