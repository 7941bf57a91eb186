"""Open pages survive a server restart (a deploy): they reconnect to the new process with
backoff, resync, and show what happens there live; the badge says what the page is doing."""

from __future__ import annotations

import math
import re
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, normalized_html, wait_live
from tests.browser.test_grading_live import live  # noqa: F401 (a course server per ASGI server)
from tests.grading_app.live import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.both_modes]

WIDGET = "#submission-course_2dv1_3aTest_2bGR101_2b2026-pick"
QUEUE = "ol.modq"
WAITING = re.compile(r"^Disconnected — reconnecting (in \d+ s|now…)")


def _equals_reload(context, live_page, url: str, selector: str, ready: str) -> None:
    fresh = context.new_page()
    fresh.goto(url)
    fresh.wait_for_selector(ready, state="attached")
    fresh.wait_for_load_state("networkidle")
    assert normalized_html(fresh, selector) == normalized_html(live_page, selector)
    fresh.close()


def test_pages_reconnect_to_the_new_process_and_show_its_events_live(browser, live):  # noqa: F811
    server, cid = live.server, live.course_id
    unit_url = f"{server.base}/courses/{cid}/units/unit-one"
    queue_url = f"{server.base}/courses/{cid}/forum/moderation"
    student_ctx, student = log_in(browser, server.base, "ada@example.org", PASSWORD)
    ta_ctx, ta = log_in(browser, server.base, "ta@example.org", PASSWORD)
    try:
        student.goto(unit_url)
        ta.goto(queue_url)
        for page in (student, ta):
            wait_live(page)
        student.wait_for_selector(f'{WIDGET}[data-status="none"]')

        server.stop()  # SIGTERM: the sockets are closed for a service restart
        for page in (student, ta):
            page.wait_for_selector('#live-status[data-state="down"]', timeout=10_000)
            assert WAITING.match(page.inner_text("#live-status")), page.inner_text("#live-status")
        server.start()  # a fresh process: same port, database and data dir

        # The backoff brings both pages back without a reload (capped at 30 s per wait).
        for page in (student, ta):
            wait_live(page, timeout=60_000)
        api = httpx.Client(base_url=server.base, timeout=30)
        r = api.post(f"/api/v1/courses/{cid}/blocks/pick/submissions",
                     json={"answer": {"choice": "a"}}, headers=live.headers("ada@example.org"))
        assert r.status_code in (201, 202), r.text
        thread = api.post(f"/api/v1/courses/{cid}/forum/threads",
                          json={"title": "After the deploy", "body": "Is this spam?"},
                          headers=live.headers("bob@example.org"))
        assert thread.status_code == 201, thread.text
        flag = api.post(f"/api/v1/forum/posts/{thread.json()['post_id']}/flags",
                        json={"reason": "looks like spam"},
                        headers=live.headers("ada@example.org"))
        assert flag.status_code == 201, flag.text

        student.wait_for_selector(f'{WIDGET}[data-status="graded"]', timeout=20_000)
        assert "2 / 2" in student.inner_text(WIDGET)
        ta.locator(QUEUE, has_text="After the deploy").wait_for(timeout=20_000)
        # Nothing was reloaded: these are the pages opened before the restart.
        assert student.url == unit_url and ta.url == queue_url
        _equals_reload(student_ctx, student, unit_url, WIDGET,
                       f'{WIDGET} .submission-status[data-state="graded"]')
        _equals_reload(ta_ctx, ta, queue_url, QUEUE, f"{QUEUE} li")
    finally:
        student_ctx.close()
        ta_ctx.close()


# With Math.random pinned near 1, full jitter waits its whole window: 0.5 s doubling, capped
# at 30 s. The badge shows the wait rounded up to whole seconds.
EXPECTED_COUNTDOWNS = [1, 1, 2, 4, 8, 16, 30, 30]


def _badge(page) -> str:
    return re.sub(r"\s+", " ", page.inner_text("#live-status")).strip()


@pytest.fixture
def routed(browser, live):  # noqa: F811
    """A logged-in unit page whose /ws attempts the test decides (to the server, refused, or
    connected but with the server's frames swallowed: a connection that died without a close),
    with Math.random pinned and the page's clock paused: its timers run only when told."""
    if live.server.server != "uvicorn":
        pytest.skip("client behaviour; one server is enough")
    context, page = log_in(browser, live.server.base, "bob@example.org", PASSWORD)
    attempts: list = []
    refuse: dict = {"code": None, "mute": False}

    def route(ws) -> None:
        attempts.append(ws)
        if refuse["code"] is None:
            server = ws.connect_to_server()
            server.on_message(lambda frame: None if refuse["mute"] else ws.send(frame))
        else:  # the page sees the socket open, then closed
            ws.close(code=refuse["code"], reason="refused by the test")

    page.route_web_socket(re.compile(r"/ws\?"), route)
    page.add_init_script("Math.random = () => 0.999;")
    page.clock.install()
    page.goto(f"{live.server.base}/courses/{live.course_id}/units/unit-one")
    wait_live(page)
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)  # Playwright takes seconds
    yield page, attempts, refuse
    context.close()


def test_backoff_retries_after_every_close_with_capped_growing_waits(routed):
    page, attempts, refuse = routed
    refuse["code"] = 1000  # the code hx-ws alone would never reconnect on
    attempts[-1].close(code=1012, reason="service restart")
    countdown = page.locator("#live-status .live-countdown")
    for n, seconds in enumerate(EXPECTED_COUNTDOWNS, start=1):
        # A locator wait: Playwright retries it from outside the page, so it does not
        # depend on the page's timers or animation frames, which the paused clock stops.
        expect(countdown).to_have_text(f"in {seconds} s")
        assert _badge(page) == f"Disconnected — reconnecting in {seconds} s Reconnect now"
        assert len(attempts) == n  # the page load's socket, then n - 1 refused retries
        # Run the clock to exactly where the wait ends (one more attempt, refused again),
        # not past it: the refusal arrives in real time, and page time still running then
        # would tick the next countdown down before the test reads it.
        page.clock.run_for(math.ceil(0.999 * min(30_000, 500 * 2 ** (n - 1))) + 1)
        _wait_attempts(page, attempts, n + 1)
    # Back to the tab, then back online: each tries at once, without waiting out the 30 s.
    expect(countdown).to_have_text("in 30 s")
    assert page.evaluate("document.hidden") is False
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    _wait_attempts(page, attempts, len(EXPECTED_COUNTDOWNS) + 2)  # refused again
    expect(countdown).to_have_text("in 30 s")
    refuse["code"] = None
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_live(page)
    assert _badge(page) == "Live"
    assert len(attempts) == len(EXPECTED_COUNTDOWNS) + 3


def _wait_attempts(page, attempts: list, count: int) -> None:
    """Let Playwright deliver the page's next socket attempt to the route handler."""
    for _ in range(200):
        if len(attempts) >= count:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"expected {count} socket attempts, saw {len(attempts)}")


def _until(page, expression: str) -> None:
    """Poll `expression` from the test: the page's own timers and frames are paused."""
    for _ in range(200):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {expression}")


def test_an_authentication_refusal_stops_retrying_and_offers_sign_in(routed, live):  # noqa: F811
    page, attempts, _refuse = routed
    attempts[-1].close(code=4401, reason="session expired")
    page.wait_for_selector('#live-status[data-state="signed-out"]')
    assert _badge(page) == "Signed out — sign in to see live updates."
    assert page.locator("#live-status .live-countdown").count() == 0  # nothing scheduled
    unit = f"/courses/{live.course_id}/units/unit-one"
    link = page.locator("#live-status a")
    assert link.get_attribute("href") == "/login?next=" + quote(unit, safe="")
    # Coming back online is no reason to retry a refused sign-in.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert page.get_attribute("#live-status", "data-state") == "signed-out"
    page.clock.resume()
    link.click()
    page.fill("#f-email", "bob@example.org")
    page.fill("#f-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(live.server.base + unit)
    wait_live(page)


def test_a_socket_that_goes_silent_is_dropped_and_replaced(routed, live):  # noqa: F811
    page, attempts, refuse = routed
    heartbeat_seconds = float(page.get_attribute("#live", "data-heartbeat-seconds"))
    assert heartbeat_seconds == float(live.server.env["COURSEWIRE_HEARTBEAT_SECONDS"])
    limit_ms = max(10_000, heartbeat_seconds * 2.5 * 1000)  # 2.5 heartbeats, at least 10 s
    page.evaluate("""() => {
        window.frames_seen = window.heartbeats_seen = 0;
        document.addEventListener("htmx:ws:before:message:incoming", (e) => {
            window.frames_seen += 1;
            if (e.detail.message.data.includes("heartbeat")) window.heartbeats_seen += 1;
        });
    }""")

    def heartbeat() -> None:
        """One frame from the test, seen by the page at the paused clock's time (a few ms
        later if a live-region swap queued ahead of it first waits for a timer)."""
        seen = page.evaluate("window.heartbeats_seen")
        attempts[-1].send('{"event": "heartbeat"}')
        for _ in range(400):
            if page.evaluate("window.heartbeats_seen") > seen:
                return
            page.clock.run_for(5)
            page.wait_for_timeout(25)
        raise AssertionError("the page never received the heartbeat")

    # The connection dies without a close: the server's frames stop reaching the page.
    refuse["mute"] = True
    heartbeat()
    page.clock.run_for(limit_ms - 1000)
    assert _badge(page) == "Live"  # quiet, but not for long enough yet
    heartbeat()  # any frame restarts the count
    page.clock.run_for(limit_ms - 1000)
    assert _badge(page) == "Live"
    page.clock.run_for(1200)  # silent past the limit: dropped, the backoff starts over
    page.wait_for_selector('#live-status[data-state="down"]')
    assert _badge(page) == "Disconnected — reconnecting in 1 s Reconnect now"
    assert len(attempts) == 1
    refuse["mute"] = False
    page.clock.run_for(1000)
    _wait_attempts(page, attempts, 2)
    wait_live(page)
    _until(page, "window.frames_seen > 2")  # the new socket's resync frames

    # A laptop asleep: no timer ran, but the clock moved on. Back to the tab, the silent
    # socket is dropped and replaced at once.
    refuse["mute"] = True
    heartbeat()
    page.clock.set_system_time((page.evaluate("Date.now()") + limit_ms + 1000) / 1000)
    assert _badge(page) == "Live"
    refuse["mute"] = False
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    _wait_attempts(page, attempts, 3)
    wait_live(page)
    assert _badge(page) == "Live"
