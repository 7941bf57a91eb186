"""Exam integrity and the live attempt page in a real browser (issue 14): a save in another
tab, an accommodation and the hand-in reach an open attempt page without a reload (and it
then equals a fresh load); a second device takes the attempt over and the first page says
so and stops autosaving; a quiz with an access code asks for it on the unit and on a new
device's attempt page, keeping what was typed when it is wrong."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live, wait_loaded
from tests.grading_app.live import PASSWORD, start_course_server
from tests.quizzes.conftest import FILES
from tests.quizzes.test_exam_integrity import EXTRA, UNIT_DIR

pytestmark = pytest.mark.browser

QUIZ_FILES = {
    "banks/arith.yaml": FILES["banks/arith.yaml"],
    "03-exam/chapter.yaml": "title: Exam",
    "03-exam/01-mid/sequential.yaml": "title: Midterm",
    "03-exam/01-mid/01-paper/unit.yaml": "title: The paper",
    "03-exam/01-mid/01-paper/01-midterm.yaml":
        FILES["01-exams/01-mid/01-paper/01-midterm.yaml"],
    "03-exam/01-mid/02-gate/unit.yaml": "title: The gate",
    "03-exam/01-mid/02-gate/01-locked.yaml": EXTRA[f"{UNIT_DIR}/03-locked.yaml"],
}
CAPITAL = '.quiz-question[data-question="capital"]'


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("quizintegrity"),
                                 server="uvicorn", students=1,
                                 course_extra={k: textwrap.dedent(v) for k, v in
                                               QUIZ_FILES.items()})
    yield course
    course.server.stop()


@contextmanager
def two_devices(browser, base: str, email: str) -> Iterator[tuple]:
    """One student logged in on two devices (browser contexts): (context, page) each."""
    first_ctx, first = log_in(browser, base, email, PASSWORD)
    second_ctx, second = log_in(browser, base, email, PASSWORD)
    try:
        yield (first_ctx, first), (second_ctx, second)
    finally:
        first_ctx.close()
        second_ctx.close()


def start_midterm(page, base: str, cid: str) -> str:
    page.goto(f"{base}/courses/{cid}/units/paper")
    wait_loaded(page)
    page.click(".quiz-start")
    page.wait_for_selector("#quiz-countdown")
    wait_live(page)
    return page.url


def test_another_tab_an_accommodation_and_the_hand_in_reach_the_open_page(browser, live):
    base, cid = live.server.base, live.course_id
    ctx, tab = log_in(browser, base, "ada@example.org", PASSWORD)
    try:
        url = start_midterm(tab, base, cid)
        other = ctx.new_page()  # a second tab of the same browser: the same device
        other.goto(url)
        wait_live(other)
        other.check(f'{CAPITAL} input[value="paris"]')
        other.wait_for_selector(f'{CAPITAL} .save-state[data-state="saved"]')
        tab.wait_for_function(f"() => document.querySelector('{CAPITAL} "
                              "input[value=paris]').checked", timeout=10_000)
        assert tab.is_hidden("#quiz-takeover")

        before = int(tab.get_attribute("#quiz-countdown", "data-seconds-left"))
        r = httpx.put(f"{base}/api/v1/courses/{cid}/quizzes/midterm/accommodations/"
                      f"{live.ids['ada@example.org']}", json={"extra_minutes": 15},
                      headers=live.headers("prof@example.org"))
        assert r.status_code == 200, r.text
        tab.wait_for_function("(b) => parseInt(document.querySelector('#quiz-countdown')"
                              ".dataset.secondsLeft, 10) > b + 14 * 60", arg=before,
                              timeout=10_000)
        assert tab.inner_text("#quiz-countdown").startswith(("44:", "45:"))

        other.once("dialog", lambda dialog: dialog.accept())
        other.click("#quiz-submit")
        tab.wait_for_selector(".quiz-outcome", timeout=10_000)
        tab.wait_for_selector('#quiz-attempt-head[data-status="graded"]', timeout=10_000)
        assert tab.query_selector("#quiz-submit") is None
        assert tab.is_disabled(f"{CAPITAL} input[value=paris]")
        for region in ("#quiz-attempt-head", "#quiz-actions", "#question-1", "#question-2"):
            assert_live_equals_reload(ctx, tab, url, region)
    finally:
        ctx.close()


def test_a_second_device_takes_over_and_the_first_stops_autosaving(browser, live):
    base, cid = live.server.base, live.course_id
    with two_devices(browser, base, "bob@example.org") as ((_, laptop), (_, phone)):
        url = start_midterm(laptop, base, cid)
        laptop.check(f'{CAPITAL} input[value="lyon"]')
        laptop.wait_for_selector(f'{CAPITAL} .save-state[data-state="saved"]')

        phone.goto(url)
        wait_live(phone)
        laptop.wait_for_selector("#quiz-takeover:not([hidden])", timeout=10_000)
        assert "opened on another device" in laptop.inner_text("#quiz-takeover")
        assert laptop.is_disabled(f"{CAPITAL} input[value=paris]")
        assert phone.is_hidden("#quiz-takeover")
        assert phone.is_checked(f'{CAPITAL} input[value="lyon"]')  # nothing saved is lost
        status = laptop.evaluate("""(api) => fetch(api + '/answers/capital', {method: 'PUT',
            credentials: 'same-origin', headers: {'Content-Type': 'application/json',
            'X-CSRF-Token': document.querySelector('meta[name="csrf-token"]').content},
            body: JSON.stringify({answer: {choice: 'nice'}})}).then(r => r.status)""",
                                 laptop.get_attribute("#quiz-attempt", "data-api"))
        assert status == 409

        phone.check(f'{CAPITAL} input[value="paris"]')  # the phone saves, live on the laptop
        phone.wait_for_selector(f'{CAPITAL} .save-state[data-state="saved"]')
        laptop.wait_for_function(f"() => document.querySelector('{CAPITAL} "
                                 "input[value=paris]').checked", timeout=10_000)


def test_a_save_refused_as_taken_over_is_final_not_retried(browser, live):
    """A page that missed the takeover push (its socket was away) learns of it from its
    save's 409: it says so and stops; unlike a save that got no answer, it is not re-sent,
    not even when its socket is live again (issue 14's retries stop at a refusal)."""
    base, cid = live.server.base, live.course_id
    with two_devices(browser, base, "s0@example.org") as ((_, laptop), (_, phone)):
        gate, sockets = {"open": True}, []

        def route(ws) -> None:
            if gate["open"]:
                ws.connect_to_server()
                sockets.append(ws)
            else:
                ws.close(code=1000, reason="refused by the test")

        laptop.route_web_socket(re.compile(r"/ws\?"), route)
        url = start_midterm(laptop, base, cid)
        gate["open"] = False
        for ws in sockets:
            ws.close(code=1000, reason="cut by the test")
        laptop.wait_for_selector('#live-status:not([data-state="live"])', timeout=10_000)
        phone.goto(url)
        wait_live(phone)

        puts: list[int] = []
        laptop.on("response", lambda r: puts.append(r.status)
                  if r.request.method == "PUT" and "/answers/" in r.url else None)
        laptop.check(f'{CAPITAL} input[value="lyon"]')
        laptop.wait_for_selector("#quiz-takeover:not([hidden])", timeout=10_000)
        assert "opened on another device" in laptop.inner_text("#quiz-takeover")
        assert laptop.get_attribute(f"{CAPITAL} .save-state", "data-state") == "error"
        laptop.wait_for_timeout(4_000)  # longer than the retry delay of a failed save
        gate["open"] = True
        laptop.evaluate("window.dispatchEvent(new Event('online'))")
        wait_live(laptop, timeout=30_000)
        laptop.wait_for_timeout(1_000)
        assert puts == [409]
        assert laptop.get_attribute(f"{CAPITAL} .save-state", "data-state") != "retrying"
        assert not phone.is_checked(f'{CAPITAL} input[value="lyon"]')  # nothing was saved


def test_the_access_code_is_asked_on_the_unit_and_on_a_new_device(browser, live):
    base, cid = live.server.base, live.course_id
    with two_devices(browser, base, "ada@example.org") as ((_, page), (_, new)):
        page.goto(f"{base}/courses/{cid}/units/gate")
        wait_loaded(page)
        # The socket's resync re-renders the quiz panel: type after it, as a student who
        # reads the page first does (on a loaded box it can land after a quick fill).
        wait_live(page, timeout=30_000)
        assert "OWL-42" not in page.content()
        page.fill(".quiz-access-code", "OWL-4")
        page.click(".quiz-start")
        page.wait_for_selector(".quiz-refused")
        assert "not right" in page.inner_text(".quiz-refused")
        assert page.input_value(".quiz-access-code") == "OWL-4"  # what was typed stays
        page.fill(".quiz-access-code", "OWL-42")
        page.click(".quiz-start")
        page.wait_for_selector("#quiz-attempt-head")
        url = page.url

        new.goto(url)
        new.wait_for_selector("#quiz-access")
        assert new.query_selector("#quiz-attempt-head") is None
        new.fill("#quiz-access .quiz-access-code", "nope")
        new.click("#quiz-access .quiz-resume")
        new.wait_for_selector("#quiz-access .quiz-refused")
        assert new.input_value("#quiz-access .quiz-access-code") == "nope"
        new.fill("#quiz-access .quiz-access-code", "OWL-42")
        new.click("#quiz-access .quiz-resume")
        new.wait_for_selector("#quiz-attempt-head", timeout=10_000)
        page.wait_for_selector("#quiz-takeover:not([hidden])", timeout=10_000)
