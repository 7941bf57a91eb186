"""Our pages work under their Content-Security-Policy: Chromium reports no violation on the
dashboard, the course page, unit pages (videos, code, peer review), the forum, studio and
the gradebook, and the live socket still connects."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser, log_in, wait_live, wait_loaded  # noqa: F401
from tests.conftest import REDIS_URL
from tests.support.live import seeded_server

pytestmark = pytest.mark.browser

COURSE = "course-v1:Coursewire+PY101+2026"


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    yield from seeded_server(db_factory, tmp_path_factory.mktemp("csp"), REDIS_URL)


def _watch(page, seen: list[str]) -> None:
    page.on("console", lambda m: seen.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text else None)
    page.add_init_script("""document.addEventListener('securitypolicyviolation', e => {
        console.error('Refused to load: CSP ' + e.violatedDirective + ' ' + e.blockedURI);
    });""")


def test_pages_raise_no_csp_violations(browser, server):  # noqa: F811
    seen: list[str] = []
    context, page = log_in(browser, server.base, "instructor@demo.coursewire")
    try:
        _watch(page, seen)
        page.goto(server.base + "/")
        wait_live(page, timeout=30_000)  # the websocket connects under connect-src 'self'
        page.goto(f"{server.base}/courses/{COURSE}")
        wait_live(page, timeout=30_000)
        links = page.eval_on_selector_all(
            f'a[href^="/courses/{COURSE}/"]', "els => els.map(e => e.getAttribute('href'))")
        units = [h for h in dict.fromkeys(links) if "/units/" in h or "/unit/" in h][:4]
        paths = [*units, f"/courses/{COURSE}/forum", f"/courses/{COURSE}/studio",
                 f"/courses/{COURSE}/gradebook"]
        for path in paths:
            page.goto(server.base + path)
            page.wait_for_load_state("load")
            wait_loaded(page, timeout=30_000)
        assert len(paths) >= 4
        assert seen == [], seen
    finally:
        context.close()
