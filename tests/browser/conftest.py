"""Playwright driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import re
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def log_in(browser, base: str, email: str, password: str = "coursewire-demo"):
    """A fresh browser context (its own cookies), logged in through the real form."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(base) + r"/$"))
    return context, page


def wait_live(page, timeout: float = 10_000) -> None:
    page.wait_for_selector('#live-status[data-state="live"]', timeout=timeout)


def wait_loaded(page, timeout: float = 10_000) -> None:
    """Wait until the page's lazily loaded panels (hx-trigger="load") have all arrived."""
    page.wait_for_function("() => !document.querySelector('[hx-trigger=\"load\"]')",
                           timeout=timeout)


def normalized_html(page, selector: str) -> str:
    """A region's markup without whitespace noise or the transient highlight class."""
    html = page.eval_on_selector(selector, "el => el.innerHTML")
    html = re.sub(r'\s*class="live-flash"|\s+live-flash|live-flash\s*', "", html)
    html = re.sub(r'\s+class=""', "", html)
    # A canvas's size attributes are drawing state (Chart.js sets them), not content.
    html = re.sub(r"<canvas[^>]*>",
                  lambda m: re.sub(r'\s(width|height|style)="[^"]*"', "", m.group(0)), html)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def assert_live_equals_reload(context, live_page, url: str, selector: str) -> None:
    """The live-updated region equals the same region on a freshly loaded page."""
    fresh = context.new_page()
    fresh.goto(url)
    wait_loaded(fresh)
    wait_loaded(live_page)
    assert normalized_html(fresh, selector) == normalized_html(live_page, selector)
    fresh.close()
