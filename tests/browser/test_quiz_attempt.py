"""A quiz in a real browser: start from the unit, answers autosave as they are typed or
chosen ("Saved", said in a live region), the countdown runs from the server's deadline,
the answers are there after a reload and in a second tab (another context) of the same
student, and handing in (after the confirmation) grades what was saved. Staff follow a
student live on the proctor page and on their view of the attempt, which equal a fresh
load."""

from __future__ import annotations

import textwrap

import pytest

from core.templating import dom_id
from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live, wait_loaded
from tests.grading_app.live import PASSWORD, start_course_server
from tests.quizzes.conftest import FILES, RIGHT

pytestmark = pytest.mark.browser

QUIZ_FILES = {
    "banks/arith.yaml": FILES["banks/arith.yaml"],
    "03-exam/chapter.yaml": "title: Exam",
    "03-exam/01-mid/sequential.yaml": "title: Midterm",
    "03-exam/01-mid/01-paper/unit.yaml": "title: The paper",
    "03-exam/01-mid/01-paper/01-midterm.yaml":
        FILES["01-exams/01-mid/01-paper/01-midterm.yaml"],
}


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("quizbrowser"),
                                 server="uvicorn", students=1,
                                 course_extra={k: textwrap.dedent(v) for k, v in
                                               QUIZ_FILES.items()})
    yield course
    course.server.stop()


def answer(page, question_id: str) -> None:
    """Type or choose the right answer to one question, as a student would."""
    fs = f'.quiz-question[data-question="{question_id}"]'
    expected = RIGHT[question_id]
    if "choice" in expected:
        page.check(f'{fs} input[value="{expected["choice"]}"]')
    elif "value" in expected:
        page.type(f"{fs} input[name=value]", str(expected["value"]), delay=30)
    else:
        page.type(f"{fs} input[name=text]", expected["text"], delay=30)


def shown_answers(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries(Array.from(
        document.querySelectorAll('.quiz-question')).map(fs => [fs.dataset.question,
        (fs.querySelector('input:checked') || {}).value ||
        (fs.querySelector('input[type=text]') || {}).value || '']))""")


def test_answers_autosave_and_are_there_after_reload_and_in_another_tab(browser, live):
    base, cid = live.server.base, live.course_id
    ctx, tab = log_in(browser, base, "ada@example.org", PASSWORD)
    other_ctx, other = log_in(browser, base, "ada@example.org", PASSWORD)
    try:
        tab.goto(f"{base}/courses/{cid}/units/paper")
        wait_loaded(tab)
        tab.click(".quiz-start")
        tab.wait_for_selector("#quiz-countdown")
        url = tab.url
        left = int(tab.get_attribute("#quiz-countdown", "data-seconds-left"))
        assert 29 * 60 < left <= 30 * 60
        assert tab.inner_text("#quiz-countdown").startswith(("29:", "30:"))
        questions = tab.eval_on_selector_all(".quiz-question", "els => els.map(e => "
                                             "e.dataset.question)")
        assert len(questions) == 3 and "capital" in questions
        for qid in questions:
            answer(tab, qid)
        tab.wait_for_function("() => document.querySelectorAll("
                              "'.save-state[data-state=\"saved\"]').length === 3",
                              timeout=10_000)
        assert "saved" in tab.inner_text("#quiz-status")
        typed = shown_answers(tab)
        assert typed == {qid: str(next(iter(RIGHT[qid].values()))) for qid in questions}

        tab.reload()
        tab.wait_for_selector("#quiz-countdown")
        assert shown_answers(tab) == typed

        other.goto(f"{base}/courses/{cid}/units/paper")
        wait_loaded(other)
        other.click(".quiz-resume")
        other.wait_for_selector("#quiz-countdown")
        assert other.url == url and shown_answers(other) == typed

        other.once("dialog", lambda dialog: dialog.accept())
        other.click("#quiz-submit")
        # Live: "handed in" first, then the grade (from the grading worker in service mode).
        other.wait_for_selector('#quiz-attempt-head[data-status="graded"]', timeout=15_000)
        assert "3 / 3 points" in other.inner_text(".quiz-outcome")
        tab.reload()
        assert tab.get_attribute("#quiz-attempt-head", "data-status") == "graded"
        assert tab.query_selector("#quiz-submit") is None
    finally:
        ctx.close()
        other_ctx.close()


def test_the_proctor_page_follows_a_student_live_and_equals_a_reload(browser, live):
    base, cid = live.server.base, live.course_id
    staff_ctx, staff = log_in(browser, base, "ta@example.org", PASSWORD)
    student_ctx, student = log_in(browser, base, "bob@example.org", PASSWORD)
    proctor = f"{base}/courses/{cid}/quizzes/midterm/proctor"
    row = "#" + dom_id("proctor", cid, "midterm", live.ids["bob@example.org"])
    try:
        staff.goto(proctor)
        wait_live(staff)
        assert staff.get_attribute(row, "data-status") == "not_started"
        student.goto(f"{base}/courses/{cid}/units/paper")
        wait_loaded(student)
        student.click(".quiz-start")
        student.wait_for_selector("#quiz-countdown")
        staff.wait_for_selector(f'{row}[data-status="in_progress"]', timeout=10_000)
        assert staff.inner_text(f"{row} .proctor-saved").strip() == "–"
        answer(student, "capital")
        student.wait_for_selector('.quiz-question[data-question="capital"] '
                                  '.save-state[data-state="saved"]')
        staff.wait_for_function(f"() => document.querySelector('{row} .proctor-saved time')",
                                timeout=10_000)
        assert_live_equals_reload(staff_ctx, staff, proctor, "table.proctor")
        student.once("dialog", lambda dialog: dialog.accept())
        student.click("#quiz-submit")
        staff.wait_for_selector(f'{row}[data-status="graded"]', timeout=10_000)
        assert_live_equals_reload(staff_ctx, staff, proctor, "table.proctor")
    finally:
        staff_ctx.close()
        student_ctx.close()


def test_a_staff_view_of_an_attempt_follows_its_autosaves_and_equals_a_reload(browser, live):
    """A save sends staff views of the attempt a frame that makes them fetch their regions
    (quizzes.events: not rendered for staff on every save); the view shows the saved
    answer without a reload, and equals a fresh load."""
    base, cid = live.server.base, live.course_id
    student_ctx, student = log_in(browser, base, "s0@example.org", PASSWORD)
    staff_ctx, staff = log_in(browser, base, "ta@example.org", PASSWORD)
    try:
        student.goto(f"{base}/courses/{cid}/units/paper")
        wait_loaded(student)
        student.click(".quiz-start")
        student.wait_for_selector("#quiz-countdown")
        attempt_url = student.url
        staff.goto(attempt_url)
        wait_live(staff)
        capital = '.quiz-question[data-question="capital"]'
        paris = f'{capital} input[value="{RIGHT["capital"]["choice"]}"]'
        assert not staff.is_checked(paris)
        answer(student, "capital")
        student.wait_for_selector(f'{capital} .save-state[data-state="saved"]')
        staff.wait_for_function("sel => document.querySelector(sel).checked", arg=paris,
                                timeout=10_000)
        assert_live_equals_reload(staff_ctx, staff, attempt_url, "main")
    finally:
        staff_ctx.close()
        student_ctx.close()
