"""axe-core (vendored: static/vendor/axe.min.js) on every main page for every role, in
Chromium: no serious or critical violation. The pages are the ones each role reaches: the
course navigation's every link, units, a forum thread and the forum search, plus the
signed-out pages. The axe run itself is checked: a page with a known violation fails."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, wait_loaded
from tests.browser.test_release_live import COURSE, server

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")
UNITS = ("hello", "variables", "fizzbuzz-unit")
__all__ = ["server"]  # the seeded demo server of test_release_live, one per module


def violations(page) -> list[str]:
    """axe's serious and critical findings on the page as loaded, one line each."""
    wait_loaded(page)
    # A live change's highlight is an animation: judge the page as it rests, not mid-fade.
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect.getTiming().iterations === Infinity)")
    page.add_script_tag(url="/static/vendor/axe.min.js")  # same origin: the CSP allows it
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {', '.join(v['nodes'])}" for v in found
            if v["impact"] in BLOCKING]


def course_pages(page, base: str) -> list[str]:
    """Every page the course navigation links for this viewer, and a few more."""
    page.goto(f"{base}/courses/{COURSE}")
    links = page.locator('nav[aria-label="Course"] a').evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    thread = page.goto(f"{base}/courses/{COURSE}/forum")
    assert thread is not None and thread.ok
    first = page.locator(".thread-row a").first.get_attribute("href")
    return [*dict.fromkeys([*links, *(f"/courses/{COURSE}/units/{u}" for u in UNITS),
                            f"/courses/{COURSE}/forum/search?q=loop", first or ""])]


def check_pages(page, base: str, paths: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        if not path:
            continue
        response = page.goto(base + path)
        if response is None or response.status == 404:
            continue  # not this role's page (a unit a student may not see)
        if blocking := violations(page):
            found[path] = blocking
    return found


def test_the_axe_check_finds_a_known_violation(browser, server):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(server.base + "/login")
        page.evaluate("""() => {
            const img = document.createElement("img");  // no alt: critical for axe
            img.src = "/static/none.png";
            document.querySelector("main").append(img);
        }""")
        assert any(v.startswith("image-alt (critical)") for v in violations(page))
    finally:
        context.close()


def test_signed_out_pages_have_no_serious_violations(browser, server):
    context = browser.new_context()
    page = context.new_page()
    try:
        assert check_pages(page, server.base, ["/", "/login", "/register"]) == {}
    finally:
        context.close()


@pytest.mark.parametrize("email", ["ada@demo.coursewire", "ta@demo.coursewire",
                                   "instructor@demo.coursewire"],
                         ids=["student", "ta", "instructor"])
def test_every_page_of_each_role_has_no_serious_violations(browser, server, email):
    context, page = log_in(browser, server.base, email)
    try:
        # the account pages and the staff pages the navigation does not link
        paths = ["/", "/inbox", "/profile", "/catalogue", *course_pages(page, server.base),
                 f"/courses/{COURSE}/groups", f"/courses/{COURSE}/studio/banks",
                 f"/courses/{COURSE}/lti/scores", "/admin/sign-in-providers"]
        assert check_pages(page, server.base, paths) == {}
    finally:
        context.close()
