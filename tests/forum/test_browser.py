"""In Chromium: an anonymous post appears live as Anonymous to a student and by name to a
TA; the TA hides it from their page and it vanishes from the student's; the student's
live page then equals a fresh load."""

import re

import pytest

from tests.forum.live import COURSE

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "coursewire-demo"

NORMALIZE_JS = """(ids) => ids.map((id) => {
  const el = document.getElementById(id);
  if (!el) return null;
  const copy = el.cloneNode(true);
  copy.querySelectorAll('input[name="idempotency_key"]')
    .forEach((i) => i.removeAttribute('value'));
  [copy, ...copy.querySelectorAll('*')].forEach((n) => {
    n.classList.remove('live-flash', 'htmx-added', 'htmx-settling', 'htmx-swapping');
    if (!n.classList.length) n.removeAttribute('class');
  });
  copy.querySelectorAll('details').forEach((d) => d.removeAttribute('open'));
  return copy.outerHTML.replace(/\\s+/g, ' ').replace(/> </g, '><').trim();
})"""


def _login(browser, base: str, email: str):
    context = browser.new_context(base_url=base)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit], main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    return page


def test_anonymous_post_hidden_by_ta_vanishes_live_and_live_equals_reload(forum_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    base = forum_server.base
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            ada = _login(browser, base, "ada@demo.coursewire")
            linus = _login(browser, base, "linus@demo.coursewire")
            ta = _login(browser, base, "ta@demo.coursewire")
            # A thread to talk in, started from the forum page.
            ta.goto(f"/courses/{COURSE}/forum")
            ta.click("summary:has-text('Start a thread')")
            ta.fill("#new-thread input[name=title]", "Browser thread")
            ta.fill("#new-thread textarea[name=body]", "Questions here")
            ta.click("#new-thread button[type=submit]")
            ta.wait_for_url(re.compile(r".*/forum/threads/\d+$"))
            thread_url = ta.url
            thread_id = thread_url.rsplit("/", 1)[1]
            for page in (ada, linus):
                page.goto(thread_url)
            for page in (ada, linus, ta):
                page.wait_for_selector("#live-status[data-state=live]", timeout=10_000)

            ada.fill("form.post-form:not(.comment-box form) textarea[name=body]",
                     "My anonymous question")
            ada.check("input[name=anonymity][value=peers]")
            ada.click("section[aria-labelledby=reply-heading] button[type=submit]")

            linus_post = linus.locator(".reply .forum-post", has_text="My anonymous question")
            linus_post.wait_for(timeout=10_000)
            assert linus_post.locator(".author").inner_text() == "Anonymous"
            assert "Ada" not in linus.content()
            ta_post = ta.locator(".reply .forum-post", has_text="My anonymous question")
            ta_post.wait_for(timeout=10_000)
            assert "Ada Student" in ta_post.locator(".author").inner_text()
            ada.locator(".forum-post.mine", has_text="you (anonymous)").wait_for(timeout=10_000)
            post_id = ta_post.get_attribute("id")

            ta_post.locator("button.mod-hide").click()
            linus.wait_for_function(
                """(id) => { const el = document.getElementById(id);
                             return !el || el.offsetParent === null; }""",
                arg=post_id, timeout=10_000)
            assert "My anonymous question" not in linus.locator("main").inner_text()
            ta.locator(f"#{post_id} mark", has_text="Hidden by a moderator").wait_for()

            regions = [f"thread-{thread_id}-head", f"thread-{thread_id}-posts"]
            live = linus.evaluate(NORMALIZE_JS, regions)
            linus.reload()
            linus.wait_for_selector("#live-status[data-state=live]", timeout=10_000)
            fresh = linus.evaluate(NORMALIZE_JS, regions)
            assert None not in live
            assert live[0] == fresh[0]
            assert live[1] == fresh[1]
        finally:
            browser.close()
