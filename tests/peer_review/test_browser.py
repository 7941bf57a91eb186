"""Two browsers: reviewer Bob waits on the peer review page; Ada submits on hers; Bob's
page shows the assignment without a reload, the TA's open board updates, and both live
regions equal a fresh load."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, normalized_html, wait_live
from tests.grading_app.live import PASSWORD, start_course_server
from tests.peer_review.conftest import BLOCK, EXTRA

pytestmark = pytest.mark.browser

WORK = "#pr-work-course_2dv1_3aTest_2bGR101_2b2026-review"
MINE = "#pr-mine-course_2dv1_3aTest_2bGR101_2b2026-review"
BOARD = "#pr-board-course_2dv1_3aTest_2bGR101_2b2026-review"


def _region(page, selector: str) -> str:
    # (htmx marks forms it has processed; the normalizer drops that mark.)
    return normalized_html(page, selector)


def assert_live_equals_reload(context, live_page, url: str, selector: str) -> None:
    fresh = context.new_page()
    fresh.goto(url)
    wait_live(fresh)
    # On a unit page the region loads after the page (and again on the connect resync).
    fresh.wait_for_selector(selector, timeout=10_000)
    fresh.wait_for_timeout(500)
    fresh.wait_for_selector(selector, timeout=10_000)
    assert _region(fresh, selector) == _region(live_page, selector)
    fresh.close()


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("prbrowser"),
                                 course_extra=EXTRA)
    yield course
    course.server.stop()


def test_waiting_reviewer_sees_the_assignment_arrive_live(browser, live):
    base, cid = live.server.base, live.course_id
    url = f"{base}/courses/{cid}/peer-review/{BLOCK}"
    r = httpx.post(f"{base}/api/v1/courses/{cid}/blocks/{BLOCK}/submissions",
                   json={"answer": {"text": "Bob's own essay"}},
                   headers=live.headers("bob@example.org"))
    assert r.status_code == 202, r.text
    bob_ctx, bob = log_in(browser, base, "bob@example.org", PASSWORD)
    ada_ctx, ada = log_in(browser, base, "ada@example.org", PASSWORD)
    ta_ctx, ta = log_in(browser, base, "ta@example.org", PASSWORD)
    try:
        bob.goto(url)
        wait_live(bob)
        bob.click(f"{WORK} button.peer-next")
        bob.wait_for_selector(f'{WORK}[data-state="waiting"]')
        ta.goto(url + "/board")
        wait_live(ta)
        # Bob's wait may reach the board a moment after his page says so (a busy box).
        expect(ta.locator(f"{BOARD} .n-waiting")).to_have_text("1", timeout=10_000)
        expect(ta.locator(f"{BOARD} .peer-waiting-list")).to_contain_text("Bob",
                                                                         timeout=10_000)
        drawn_before = _chart_data(ta, BOARD)

        ada.goto(url)
        wait_live(ada)
        ada.fill(f"{MINE} textarea[name=text]", "Ada argues for tabs.")
        ada.click(f"{MINE} button[type=submit]")
        ada.wait_for_selector(f'{MINE}[data-status="waiting_for_your_reviews"]')

        # Bob's page, never reloaded, now holds Ada's response (anonymously).
        bob.wait_for_selector(f'{WORK}[data-state="assigned"]', timeout=10_000)
        assert "Ada argues for tabs." in bob.inner_text(WORK)
        assert "Ada" not in bob.inner_text(WORK).replace("Ada argues", "")
        # Locator waits, not wait_for_function(string): the pages' CSP forbids eval.
        expect(ta.locator(f"{BOARD} .n-waiting")).to_have_text("0", timeout=10_000)
        # The board's chart was redrawn from the pushed data: one more response, 0 reviews.
        # (The swap comes first; the chart is drawn on the swapped canvas just after it.)
        drawn = _chart_data_when(ta, BOARD, lambda d: d is not None and d != drawn_before)
        assert drawn[0] == drawn_before[0] + 1 and sum(drawn) == sum(drawn_before) + 1
        assert_live_equals_reload(bob_ctx, bob, url, WORK)
        assert_live_equals_reload(ta_ctx, ta, url + "/board", BOARD)
        # Pushed work is held briefly; Bob's first click on the page opens it for good.
        assert "to keep it" in bob.inner_text(f"{WORK} .peer-expiry")
        bob.click(f"{WORK} .peer-answer")
        expect(bob.locator(f"{WORK} .peer-expiry")).to_contain_text("yours to review until",
                                                                    timeout=10_000)
        assert_live_equals_reload(bob_ctx, bob, url, WORK)
    finally:
        for ctx in (bob_ctx, ada_ctx, ta_ctx):
            ctx.close()


def _chart_data(page, region):
    """The numbers the region's Chart.js bar chart is drawing."""
    return page.evaluate(f"""() => {{
        const chart = Chart.getChart(document.querySelector('{region} canvas'));
        return chart ? chart.data.datasets[0].data : null; }}""")


def _chart_data_when(page, region, ready, tries: int = 200):
    """The chart's numbers once `ready(numbers)` holds (polled from the test)."""
    for _ in range(tries):
        drawn = _chart_data(page, region)
        if ready(drawn):
            return drawn
        page.wait_for_timeout(50)
    return _chart_data(page, region)


QUICK_WORK = "#pr-work-course_2dv1_3aTest_2bGR101_2b2026-quick"
QUICK_MINE = "#pr-mine-course_2dv1_3aTest_2bGR101_2b2026-quick"


def _open_unit(page, url: str) -> None:
    page.goto(url)
    wait_live(page)
    # The panel loads after the page, and again when the unit is resynced on connect.
    page.wait_for_selector(f"{QUICK_WORK}[data-state]", timeout=10_000)
    page.wait_for_timeout(500)
    page.wait_for_selector(f"{QUICK_WORK}[data-state]", timeout=10_000)


def test_unit_page_peer_review_panel_submits_waits_and_is_assigned_live(browser, live):
    base, cid = live.server.base, live.course_id
    unit = f"{base}/courses/{cid}/units/unit-hw"
    bob_ctx, bob = log_in(browser, base, "bob@example.org", PASSWORD)
    ada_ctx, ada = log_in(browser, base, "ada@example.org", PASSWORD)
    try:
        _open_unit(bob, unit)
        assert bob.get_attribute(QUICK_WORK, "data-state") == "locked"
        bob.fill(f"{QUICK_MINE} textarea[name=text]", "Bob prefers spaces.")
        bob.click(f"{QUICK_MINE} button[type=submit]")
        bob.wait_for_selector(f'{QUICK_MINE}[data-status="waiting_for_your_reviews"]')
        bob.wait_for_selector(f'{QUICK_WORK}[data-state="idle"]')
        bob.click(f"{QUICK_WORK} button.peer-next")
        bob.wait_for_selector(f'{QUICK_WORK}[data-state="waiting"]')

        _open_unit(ada, unit)
        ada.fill(f"{QUICK_MINE} textarea[name=text]", "Ada argues for tabs, quickly.")
        ada.click(f"{QUICK_MINE} button[type=submit]")
        ada.wait_for_selector(f'{QUICK_MINE}[data-status="waiting_for_your_reviews"]')

        # Bob's unit page, never reloaded, now holds Ada's response in the block's panel.
        bob.wait_for_selector(f'{QUICK_WORK}[data-state="assigned"]', timeout=10_000)
        assert "Ada argues for tabs, quickly." in bob.inner_text(QUICK_WORK)
        assert_live_equals_reload(bob_ctx, bob, unit, QUICK_WORK)
        assert_live_equals_reload(bob_ctx, bob, unit, QUICK_MINE)

        # Bob reviews from the unit page; with graded_by 1, Ada's score waits only on her
        # own review, and her open page says so without a reload.
        bob.check(f"{QUICK_WORK} input[name='score.ideas'][value=many]")
        bob.check(f"{QUICK_WORK} input[name='score.style'][value=good]")
        bob.fill(f"{QUICK_WORK} textarea[name='feedback.ideas']", "Clear.")
        bob.click(f"{QUICK_WORK} form.rubric-form button[type=submit]")
        bob.wait_for_selector(f'{QUICK_WORK}[data-state="idle"]', timeout=10_000)
        assert bob.inner_text(f"{QUICK_WORK} .given") == "1"
        assert_live_equals_reload(ada_ctx, ada, unit, QUICK_MINE)
    finally:
        for ctx in (bob_ctx, ada_ctx):
            ctx.close()
