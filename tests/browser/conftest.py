"""Playwright driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.support.live_reload import normalize

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


def log_in(browser, base: str, email: str, password: str = "coursewire-demo", **options):
    """A fresh browser context (its own cookies; `options` for Playwright's new_context, e.g.
    timezone_id), logged in through the real form."""
    context = browser.new_context(**options)
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
    """Wait until the page's lazily loaded panels (hx-trigger="load", or "load delay:Nms"
    after a close) have all arrived."""
    page.wait_for_function("() => !document.querySelector("
                           "'[hx-trigger=\"load\"], [hx-trigger^=\"load delay:\"]')",
                           timeout=timeout)


def wait_text(page, selector: str, text: str, timeout: float = 10_000) -> None:
    """Wait until the element's visible text contains `text`. A function with an argument,
    never an expression string: Playwright polls a string with eval(), which the pages' CSP
    (script-src 'self') refuses after the first try."""
    page.wait_for_function("([sel, text]) => document.querySelector(sel)?.innerText.includes(text)",
                           arg=[selector, text], timeout=timeout)


def normalized_html(page, selector: str) -> str:
    """A region's markup, normalized like the server-side harness does (live_reload), and
    without a quiz's running countdowns (the attempt's, the proctor rows'): each page
    ticks them on its own clock, so two pages differ by a second at a boundary (the quiz
    tests compare the seconds left with the server's, within a tolerance; the server-side
    harness checks the clocks' markup)."""
    html = normalize(page.eval_on_selector(selector, "el => el.innerHTML"))
    html = re.sub(r'<time id="quiz-countdown"[^>]*>[^<]*</time>',
                  '<time id="quiz-countdown"></time>', html)
    # The proctor page's time left per row, ticked the same way (static/proctor.js).
    return re.sub(r'<span class="proctor-left"[^>]*>[^<]*</span>',
                  '<span class="proctor-left"></span>', html)


def assert_live_equals_reload(context, live_page, url: str, selector: str) -> None:
    """The live-updated region equals the same region on a freshly loaded page."""
    fresh = context.new_page()
    fresh.goto(url)
    wait_loaded(fresh)
    wait_loaded(live_page)
    assert_converges(fresh, live_page, selector)
    fresh.close()


def assert_converges(fresh, live_page, selector: str, seconds: float = 10.0) -> None:
    """The live page's region comes to equal the fresh page's (see `converged`)."""
    converged(lambda page: normalized_html(page, selector), fresh, live_page, seconds)


def converged(read, fresh, live_page, seconds: float = 10.0):
    """What `read(page)` gives on the live page comes to equal what it gives on the fresh
    one, and is returned. A change may go through states (submitted, then graded) whose
    frames are still arriving when the fresh page loads, more so on a loaded CI box; both
    pages are live, so both reach the last state: they get `seconds`, then must be
    equal."""
    for _ in range(int(seconds / 0.2)):
        live = read(live_page)
        if read(fresh) == live:
            return live
        live_page.wait_for_timeout(200)
    live = read(live_page)
    assert live == read(fresh)
    return live
