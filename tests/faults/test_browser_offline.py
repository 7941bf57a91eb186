"""A student's browser goes offline for 30 s (Playwright's context.set_offline) while an
answer of theirs is graded: the page notices it is no longer live, comes back when the
network does, resyncs, shows the grade it missed, and equals a fresh load.
`COURSEWIRE_FAULT_OFFLINE_SECONDS` shortens the outage for a quick run."""

from __future__ import annotations

import os
import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, normalized_html, wait_live
from tests.faults.services import wait_until
from tests.grading_app.live import PASSWORD, start_course_server

pytestmark = pytest.mark.browser

OFFLINE_SECONDS = float(os.environ.get("COURSEWIRE_FAULT_OFFLINE_SECONDS", "30"))
WIDGET = "#submission-course_2dv1_3aTest_2bGR101_2b2026-pick"


def test_offline_30_s_during_grading_resyncs_and_equals_a_reload(
        browser, private_redis, private_db_factory, tmp_path):
    live = start_course_server(private_db_factory, tmp_path / "web", server="uvicorn",
                               redis_url=private_redis.url)
    base, cid = live.server.base, live.course_id
    ctx, page = log_in(browser, base, "ada@example.org", PASSWORD)
    try:
        page.goto(f"{base}/courses/{cid}/units/unit-one")
        wait_live(page)
        expect(page.locator(f'{WIDGET}[data-status="none"]')).to_have_count(1)

        ctx.set_offline(True)
        went_offline = time.monotonic()
        # The answer is sent from the student's other device (the API) and graded now.
        r = httpx.post(f"{base}/api/v1/courses/{cid}/blocks/pick/submissions",
                       json={"answer": {"choice": "a"}}, headers=live.headers("ada@example.org"),
                       timeout=15)
        assert r.status_code == 202, r.text
        sid = r.json()["id"]
        wait_until(lambda: httpx.get(f"{base}/api/v1/submissions/{sid}",
                                     headers=live.headers("ada@example.org")
                                     ).json()["status"] == "graded", 30, "grading")
        # Offline the whole time: the grade cannot have reached the page yet.
        expect(page.locator(f'{WIDGET}[data-status="none"]')).to_have_count(1)
        page.wait_for_timeout(max(0.0, OFFLINE_SECONDS - (time.monotonic() - went_offline))
                              * 1000)
        status = page.locator("#live-status").get_attribute("data-state")
        if OFFLINE_SECONDS >= 15:  # past the page's silence limit (10 s): it saw the drop
            assert status != "live", "30 s without a frame and the page still says Live"

        ctx.set_offline(False)
        back_at = time.monotonic()
        expect(page.locator(f'{WIDGET}[data-status="graded"]')).to_have_count(1,
                                                                              timeout=45_000)
        recovered = time.monotonic() - back_at
        expect(page.locator("#live-status[data-state=live]")).to_have_count(1, timeout=30_000)
        assert "2 / 2" in page.inner_text(WIDGET)

        fresh = ctx.new_page()
        fresh.goto(f"{base}/courses/{cid}/units/unit-one")
        expect(fresh.locator(f'{WIDGET} .submission-status[data-state="graded"]')
               ).to_have_count(1)
        fresh.wait_for_load_state("networkidle")
        assert normalized_html(fresh, WIDGET) == normalized_html(page, WIDGET)
        fresh.close()
        print(f"browser offline {OFFLINE_SECONDS:.0f} s (live status while offline: "
              f"{status}): grade shown {recovered:.2f} s after the network came back")
    finally:
        ctx.close()
        live.server.stop()
