"""Forms never lose typed work: for each kind of form, a refusal (invalid input, a time the
clocks skip, an expired session) shows the reason beside the form, and what was typed is
still there."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import log_in, wait_live
from tests.grading_app.live import PASSWORD, start_course_server
from tests.peer_review.conftest import BLOCK, EXTRA

pytestmark = pytest.mark.browser

WORK = "#pr-work-course_2dv1_3aTest_2bGR101_2b2026-review"


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("forms"),
                                 course_extra=EXTRA, server="uvicorn")
    yield course
    course.server.stop()


def expire_session(context) -> None:
    """What a long-open tab meets: the session (and its CSRF token) is gone."""
    context.clear_cookies()


def test_sign_in_refused_keeps_the_email(browser, live):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(live.server.base + "/login")
        page.fill("#f-email", "ada@example.org")
        page.fill("#f-password", "not her password")
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#login-form .form-message.error")
        assert page.input_value("#f-email") == "ada@example.org"
    finally:
        context.close()


def test_sign_up_refused_keeps_name_and_email(browser, live):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(live.server.base + "/register")
        page.fill("#f-name", "Grace Hopper")
        page.fill("#f-email", "grace-at-navy")
        page.fill("#f-password", "a long enough password")
        page.click("#register-form button[type=submit]")
        page.wait_for_selector("#register-form .form-message.error")
        assert page.input_value("#f-name") == "Grace Hopper"
        assert page.input_value("#f-email") == "grace-at-navy"
    finally:
        context.close()


def test_announcement_refused_by_an_expired_session_keeps_the_draft(browser, live):
    base, cid = live.server.base, live.course_id
    ctx, page = log_in(browser, base, "prof@example.org", PASSWORD)
    try:
        page.goto(f"{base}/courses/{cid}")
        page.click("details.compose > summary")
        page.fill("#f-title", "Exam moved")
        page.fill("#f-body", "The exam is now on **Friday**.")
        expire_session(ctx)
        page.click("#announcement-form button[type=submit]")
        page.wait_for_selector("#announcement-form .form-errors .error-box")
        assert page.input_value("#f-title") == "Exam moved"
        assert page.input_value("#f-body") == "The exam is now on **Friday**."
    finally:
        ctx.close()


def test_forum_reply_and_new_thread_refused_keep_their_text(browser, live):
    base, cid = live.server.base, live.course_id
    r = httpx.post(f"{base}/api/v1/courses/{cid}/forum/threads",
                   json={"title": "Loops", "body": "How?", "anonymity": "none"},
                   headers=live.headers("bob@example.org"))
    assert r.status_code == 201, r.text
    ctx, page = log_in(browser, base, "ada@example.org", PASSWORD)
    try:
        page.goto(f"{base}/forum/threads/{r.json()['id']}")
        wait_live(page)
        reply = "form.post-form textarea[name=body]"
        page.fill(reply, "Use range(len(xs)) sparingly.")
        page.goto(f"{base}/courses/{cid}/forum")
        page.click("details.compose > summary")
        page.fill("#f-title", "Why tabs?")
        page.fill("#f-thread-body", "A long question I typed carefully.")
        expire_session(ctx)
        page.click("#new-thread button[type=submit]")
        page.wait_for_selector("#new-thread .form-errors .error-box")
        assert page.input_value("#f-title") == "Why tabs?"
        assert page.input_value("#f-thread-body") == "A long question I typed carefully."
    finally:
        ctx.close()
    ctx, page = log_in(browser, base, "ada@example.org", PASSWORD)
    try:
        page.goto(f"{base}/forum/threads/{r.json()['id']}")
        page.fill(reply, "Use range(len(xs)) sparingly.")
        expire_session(ctx)
        page.locator("form.post-form button[type=submit]").first.click()
        page.wait_for_selector("form.post-form .form-errors .error-box")
        assert page.locator(reply).first.input_value() == "Use range(len(xs)) sparingly."
    finally:
        ctx.close()


def test_code_and_problem_answers_refused_stay_as_typed(browser, live):
    base, cid = live.server.base, live.course_id
    ctx, page = log_in(browser, base, "bob@example.org", PASSWORD)
    try:
        page.goto(f"{base}/courses/{cid}/units/unit-one")
        wait_live(page)
        page.wait_for_load_state("networkidle")
        page.click("#block-pick button[type=submit]")  # nothing picked: refused in place
        page.wait_for_selector(".unit-block:has(#block-pick) .submission-widget [role=alert]")
        page.fill("#block-number input[name=value]", "41.5")
        expire_session(ctx)
        page.click("#block-number button[type=submit]")
        page.wait_for_selector("#block-number form .form-errors:not(:empty)")
        assert page.input_value("#block-number input[name=value]") == "41.5"
    finally:
        ctx.close()
    ctx, page = log_in(browser, base, "bob@example.org", PASSWORD)
    try:
        page.goto(f"{base}/courses/{cid}/units/unit-hw")
        wait_live(page)
        page.wait_for_load_state("networkidle")
        code = "def double(x):\n    return x + x  # typed with care\n"
        page.fill("#block-code-code", code)
        expire_session(ctx)
        page.click("#block-code button[type=submit]")
        page.wait_for_selector("#block-code form .form-errors:not(:empty)")
        assert page.input_value("#block-code-code") == code
    finally:
        ctx.close()


def test_peer_review_assessment_refused_keeps_scores_and_feedback(browser, live):
    base, cid = live.server.base, live.course_id
    for who, text in (("bob@example.org", "Bob's essay"), ("ada@example.org", "Ada's essay")):
        r = httpx.post(f"{base}/api/v1/courses/{cid}/blocks/{BLOCK}/submissions",
                       json={"answer": {"text": text}}, headers=live.headers(who))
        assert r.status_code == 202, r.text
    ctx, page = log_in(browser, base, "bob@example.org", PASSWORD)
    try:
        page.goto(f"{base}/courses/{cid}/peer-review/{BLOCK}")
        wait_live(page)
        page.click(f"{WORK} button.peer-next")
        page.wait_for_selector(f'{WORK}[data-state="assigned"]', timeout=10_000)
        page.click(f"{WORK} .peer-answer")
        # The socket's resync may render the panel again after connecting; let it land.
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        page.check(f"{WORK} input[name='score.ideas'][value=many]")
        page.fill(f"{WORK} textarea[name='feedback.ideas']", "Lots of good ideas.")
        page.fill(f"{WORK} textarea[name=feedback]", "Overall: well argued.")
        # An incomplete assessment (as an old browser would send it, without the checks)
        with page.expect_response(lambda r: r.url.endswith("/assessment")) as sent:
            page.eval_on_selector(f"{WORK} form.rubric-form", "f => { f.noValidate = true; }")
            page.click(f"{WORK} form.rubric-form button[type=submit]")
        assert sent.value.status == 400
        page.wait_for_selector(f"{WORK} > p.form-errors[role=alert]")
        assert page.is_checked(f"{WORK} input[name='score.ideas'][value=many]")
        assert page.input_value(f"{WORK} textarea[name='feedback.ideas']") == "Lots of good ideas."
        assert page.input_value(f"{WORK} textarea[name=feedback]") == "Overall: well argued."
    finally:
        ctx.close()


def test_studio_block_edit_refused_keeps_the_edit(browser, live):
    base, cid = live.server.base, live.course_id
    ctx, page = log_in(browser, base, "prof@example.org", PASSWORD)
    try:
        page.goto(f"{base}/courses/{cid}/studio/blocks/number")
        page.fill("#field-prompt", "Seven times six, please?")
        page.fill("#field-title", "")
        page.click("#block-form button[type=submit]")
        page.wait_for_selector("#block-edit .form-message.error")
        assert page.input_value("#field-prompt") == "Seven times six, please?"
        page.fill("#field-title", "A number again")
        expire_session(ctx)
        page.click("#block-form button[type=submit]")
        page.wait_for_selector("#block-form .form-errors .error-box")
        assert page.input_value("#field-title") == "A number again"
        assert page.input_value("#field-prompt") == "Seven times six, please?"
    finally:
        ctx.close()


def test_extension_refused_keeps_the_form_on_the_staff_clock(browser, live):
    base, cid = live.server.base, live.course_id
    ctx, page = log_in(browser, base, "ta@example.org", PASSWORD, timezone_id="Europe/Helsinki")
    try:
        page.goto(f"{base}/courses/{cid}/gradebook")
        page.click("details:has(#extension-form) > summary")
        page.select_option("#extension-form select[name=block_id]", "late")
        page.fill("#extension-form input[name=due_at]", "2026-03-29T03:30")  # skipped hour
        page.fill("#extension-form input[name=extra_attempts]", "2")
        page.fill("#extension-form input[name=reason]", "flu week")
        page.click("#extension-form button[type=submit]")
        page.wait_for_selector("#extension-form .form-message.error")
        assert "does not exist in Europe/Helsinki" in page.inner_text("#extension-form")
        assert page.input_value("#extension-form input[name=due_at]") == "2026-03-29T03:30"
        assert page.input_value("#extension-form input[name=extra_attempts]") == "2"
        assert page.input_value("#extension-form input[name=reason]") == "flu week"
        assert page.input_value("#extension-form select[name=block_id]") == "late"
    finally:
        ctx.close()


def test_grade_override_out_of_range_keeps_the_form(browser, live):
    base, cid = live.server.base, live.course_id
    ctx, page = log_in(browser, base, "ta@example.org", PASSWORD)
    try:
        page.goto(f"{base}/courses/{cid}/gradebook")
        page.click("details:has(#override-form) > summary")
        page.select_option("#override-form select[name=block_id]", "pick")
        page.fill("#override-form input[name=points]", "999")
        page.fill("#override-form input[name=reason]", "regraded on paper")
        page.click("#override-form button[type=submit]")
        page.wait_for_selector("#override-form .form-message.error")
        assert page.input_value("#override-form input[name=points]") == "999"
        assert page.input_value("#override-form input[name=reason]") == "regraded on paper"
        assert page.input_value("#override-form select[name=block_id]") == "pick"
    finally:
        ctx.close()
