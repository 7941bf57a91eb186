"""Question banks in a real browser: the instructor creates a bank in studio, adds a question
with the problem field editors, points a quiz's draw at the bank and publishes; a student
starting the quiz gets the question (and never its answer)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, wait_loaded
from tests.grading_app.live import PASSWORD, start_course_server

pytestmark = pytest.mark.browser

QUIZ_FILES = {
    "04-quiz/chapter.yaml": "title: Quizzes\n",
    "04-quiz/01-weekly/sequential.yaml": "title: Weekly\n",
    "04-quiz/01-weekly/01-sheet/unit.yaml": "title: The sheet\n",
    "04-quiz/01-weekly/01-sheet/01-capitals-quiz.yaml": (
        "type: quiz\ntitle: Weekly quiz\nquestions:\n"
        "  - {id: warm, title: Warm up, kind: text, prompt: Say hi., answers: [hi]}\n"),
}


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("bankbrowser"),
                                 server="uvicorn", course_extra=QUIZ_FILES)
    yield course
    course.server.stop()


def test_a_bank_built_in_studio_and_published_feeds_a_students_quiz(browser, live):
    base, cid = live.server.base, live.course_id
    prof_ctx, prof = log_in(browser, base, "prof@example.org", PASSWORD)
    ada_ctx, ada = log_in(browser, base, "ada@example.org", PASSWORD)
    try:
        prof.goto(f"{base}/courses/{cid}/studio")
        prof.click("text=Question banks")
        prof.fill("input[name=name]", "capitals")
        prof.click("button:has-text('Create bank')")
        prof.wait_for_selector("#bank-capitals")
        assert "0 questions" in prof.inner_text("#bank-capitals")

        prof.click("#bank-capitals summary")
        prof.click("#bank-capitals >> text=Add a question")
        prof.fill("#field-id", "spain")
        prof.fill("#field-tags", "europe")
        prof.fill("#field-title", "Spain")
        prof.select_option("#field-kind", "text")
        prof.fill("#field-prompt", "What is the capital of Spain?")
        prof.fill("#field-answers", "- Madrid\n")
        prof.click("#block-form button[type=submit]")
        prof.wait_for_selector("text=Saved to the draft.")

        prof.goto(f"{base}/courses/{cid}/studio/banks")
        row = prof.inner_text("#bank-capitals-spain")
        assert "Spain" in row and "europe" in row
        assert "1 question" in prof.inner_text("#bank-capitals")

        prof.goto(f"{base}/courses/{cid}/studio/blocks/capitals-quiz")
        prof.fill("#field-draw", "- {bank: capitals, count: 1}\n")
        prof.click("#block-form button[type=submit]")
        prof.wait_for_selector("text=Saved to the draft.")

        prof.goto(f"{base}/courses/{cid}/studio")
        prof.click(".studio-publish button[type=submit]")
        prof.wait_for_selector("#studio-message:has-text('Published')")

        ada.goto(f"{base}/courses/{cid}/units/sheet")
        wait_loaded(ada)
        ada.click(".quiz-start")
        ada.wait_for_selector('.quiz-question[data-question="capitals:spain"]')
        question = ada.inner_text('.quiz-question[data-question="capitals:spain"]')
        assert "What is the capital of Spain?" in question
        assert "Madrid" not in ada.content()
    finally:
        prof_ctx.close()
        ada_ctx.close()
