"""Exam integrity (issue 14): a quiz's access code and allowed networks, and one device
at a time per attempt (quizzes.attempt_holds); in embedded and service mode."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from accounts.tokens import issue_token
from content_store.blocks import block_type
from content_store.blocks.base import BlockValidationError
from content_store.blocks.checks import FieldProblem
from core.errors import PermissionDenied
from courseware.forms import form_values
from models.quiz_integrity import AttemptHold
from models.users import User
from quizzes.exam_access import check_access_code, check_network
from tests.quizzes.conftest import COURSE_ID, FILES, setup_quiz_course
from tests.support.people import bearer, browser_login, token

UNIT_DIR = "01-exams/01-mid/01-paper"
LOCKED = f"/api/v1/courses/{COURSE_ID}/quizzes/locked/attempts"
ROOM = f"/api/v1/courses/{COURSE_ID}/quizzes/roomonly/attempts"
EXTRA = {
    f"{UNIT_DIR}/03-locked.yaml": """
        type: quiz
        title: Locked
        access_code: OWL-42
        allowed_networks: [127.0.0.0/8, "::1/128"]
        questions:
          - {id: q, title: Q, kind: text, prompt: Say hi., answers: [hi]}
    """,
    f"{UNIT_DIR}/04-roomonly.yaml": """
        type: quiz
        title: Room only
        allowed_networks: [10.9.0.0/16]
        questions:
          - {id: q, title: Q, kind: text, prompt: Say hi., answers: [hi]}
    """,
}


@pytest.fixture
async def locked_course(app, client: httpx.AsyncClient, tmp_path: Path, monkeypatch):
    for rel, text in EXTRA.items():
        monkeypatch.setitem(FILES, rel, text)
    people = await setup_quiz_course(tmp_path / "course")
    return people


def second_device(app, user: User) -> dict[str, str]:
    """Another bearer token of `user` (a token names the second it was issued in, so one
    asked for in the same second as the first would be the same token: the same device)."""
    settings = app.runtime.settings
    return bearer(issue_token(user.id, settings.secret_key, 7777, user.session_generation))


def _field(name: str):
    return next(f for f in block_type("quiz").fields if f.name == name)


# -- the rules, without HTTP ----------------------------------------------------------------

def test_allowed_networks_match_addresses_of_either_family():
    fields = {"allowed_networks": ["10.1.0.0/16", "2001:db8::/32"]}
    for inside in ("10.1.2.3", "2001:db8::7", "::ffff:10.1.0.9"):
        check_network(fields, inside)
    for outside in ("10.2.0.1", "2001:db9::1", "testclient", ""):
        with pytest.raises(PermissionDenied, match="exam room's network"):
            check_network(fields, outside)
    check_network({"allowed_networks": []}, "203.0.113.5")  # none named: anywhere


def test_the_access_code_is_compared_without_surrounding_spaces():
    fields = {"access_code": "OWL-42"}
    check_access_code(fields, "  OWL-42 ")
    check_access_code({"access_code": None}, None)
    with pytest.raises(PermissionDenied, match="needs its access code"):
        check_access_code(fields, "")
    with pytest.raises(PermissionDenied, match="not right"):
        check_access_code(fields, "owl-42")


def test_a_bad_network_gets_a_clear_message_in_studio_and_course_folders():
    field = _field("allowed_networks")
    assert field.clean([" 10.1.0.0/16", "192.0.2.7", "2001:DB8::/32"]) == [
        "10.1.0.0/16", "192.0.2.7/32", "2001:db8::/32"]
    with pytest.raises(FieldProblem, match="not a network: write a CIDR range"):
        field.clean(["10.1.0.0/33"])
    with pytest.raises(FieldProblem, match=r"did you mean 10\.1\.0\.0/16"):
        field.clean(["10.1.2.3/16"])
    with pytest.raises(FieldProblem, match="must be a list"):
        field.clean("10.1.0.0/16")


def test_the_studio_form_reads_networks_as_yaml_and_names_the_bad_one():
    quiz = block_type("quiz")
    values, _ = form_values(quiz, {"title": "Exam", "questions": "[{id: q, title: Q, kind: "
                                   "text, prompt: Hi, answers: [hi]}]",
                                   "access_code": " OWL-42 ",
                                   "allowed_networks": "- 10.1.0.0/16\n- 10.2.3.4/8\n"})
    with pytest.raises(BlockValidationError) as refused:
        quiz.clean(values)
    assert refused.value.fields["field"] == "allowed_networks.1"
    assert "did you mean 10.0.0.0/8" in refused.value.message
    values["allowed_networks"] = ["10.1.0.0/16"]
    assert quiz.clean(values)["access_code"] == "OWL-42"


async def test_a_course_folder_with_a_bad_network_is_refused_with_its_path(app, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setitem(FILES, f"{UNIT_DIR}/03-locked.yaml", """
        type: quiz
        title: Locked
        allowed_networks: [exam room]
        questions:
          - {id: q, title: Q, kind: text, prompt: Say hi., answers: [hi]}
    """)
    with pytest.raises(Exception, match=r"allowed_networks\.0.*not a network"):
        await setup_quiz_course(tmp_path / "course")


# -- the access code and networks over HTTP -------------------------------------------------

async def test_starting_needs_the_access_code_which_students_never_see(
        app, client: httpx.AsyncClient, locked_course):
    ada = bearer(await token(client, "ada@example.org"))
    block = await client.get(f"/api/v1/courses/{COURSE_ID}/blocks/locked", headers=ada)
    assert block.status_code == 200 and "OWL-42" not in block.text
    assert block.json().get("needs_access_code") is True or "needs_access_code" in block.text
    refused = await client.post(LOCKED, headers=ada)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"].startswith("This quiz needs its access code")
    wrong = await client.post(LOCKED, headers=ada, json={"access_code": "OWL-41"})
    assert wrong.status_code == 403 and "not right" in wrong.json()["error"]["message"]
    started = await client.post(LOCKED, headers=ada, json={"access_code": " OWL-42 "})
    assert started.status_code == 201, started.text
    assert "OWL-42" not in started.text
    # The same device resumes without it; another device (a new token) needs it again.
    assert (await client.post(LOCKED, headers=ada)).status_code == 200
    phone = second_device(app, locked_course[2])
    assert (await client.post(LOCKED, headers=phone)).status_code == 403
    assert (await client.post(LOCKED, headers=phone, json={"access_code": "OWL-42"})
            ).status_code == 200


async def test_a_network_outside_the_quiz_s_ranges_is_refused(client: httpx.AsyncClient,
                                                              locked_course):
    ada = bearer(await token(client, "ada@example.org"))
    r = await client.post(ROOM, headers=ada)
    assert r.status_code == 403 and "exam room's network" in r.json()["error"]["message"]
    assert "127.0.0.1" in r.json()["error"]["message"]


async def test_the_unit_panel_asks_for_the_code_and_keeps_what_was_typed(app, locked_course):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as browser:
        csrf = await browser_login(browser, "ada@example.org")
        panel = await browser.get(f"/courses/{COURSE_ID}/quizzes/locked/panel")
        assert 'name="access_code"' in panel.text and "OWL-42" not in panel.text
        url = f"/courses/{COURSE_ID}/quizzes/locked/attempt"
        wrong = await browser.post(url, data={"csrf_token": csrf, "access_code": "OWL-4"},
                                   headers={"HX-Request": "true"})
        assert wrong.status_code == 403 and "not right" in wrong.text
        assert 'value="OWL-4"' in wrong.text
        right = await browser.post(url, data={"csrf_token": csrf, "access_code": "OWL-42"},
                                   headers={"HX-Request": "true"})
        assert right.status_code == 204 and "/quiz-attempts/" in right.headers["HX-Redirect"]
        page = await browser.get(right.headers["HX-Redirect"])
        assert page.status_code == 200 and 'id="quiz-attempt-head"' in page.text
        assert "OWL-42" not in page.text


# -- one device at a time -------------------------------------------------------------------

async def test_a_second_device_takes_the_attempt_over_and_the_first_is_refused_409(
        app, client: httpx.AsyncClient, locked_course):
    laptop = bearer(await token(client, "ada@example.org"))
    phone = second_device(app, locked_course[2])
    attempt = (await client.post(LOCKED, headers=laptop, json={"access_code": "OWL-42"})
               ).json()
    answers = f"/api/v1/quiz-attempts/{attempt['id']}/answers/q"
    assert (await client.put(answers, headers=laptop, json={"answer": {"text": "hi"}})
            ).status_code == 200
    assert (await client.post(LOCKED, headers=phone, json={"access_code": "OWL-42"})
            ).status_code == 200
    refused = await client.put(answers, headers=laptop, json={"answer": {"text": "ho"}})
    assert refused.status_code == 409
    assert "opened on another device" in refused.json()["error"]["message"]
    submit = f"/api/v1/quiz-attempts/{attempt['id']}/submit"
    assert (await client.post(submit, headers=laptop)).status_code == 409
    resumed = await client.post(LOCKED, headers=phone)
    assert resumed.json()["answers"] == {"q": {"text": "hi"}}  # nothing saved was lost
    hold = await AttemptHold.get(attempt_id=attempt["id"])
    assert hold.takeovers == 1
    # Opening it again on the laptop takes it back.
    assert (await client.post(LOCKED, headers=laptop)).status_code == 200
    assert (await client.put(answers, headers=laptop, json={"answer": {"text": "hey"}})
            ).status_code == 200
    assert (await client.put(answers, headers=phone, json={"answer": {"text": "x"}})
            ).status_code == 409


async def test_tabs_of_one_browser_are_one_device(app, locked_course):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as browser:
        csrf = await browser_login(browser, "ada@example.org")
        r = await browser.post(f"/courses/{COURSE_ID}/quizzes/locked/attempt",
                               data={"csrf_token": csrf, "access_code": "OWL-42"})
        url = r.headers["location"]
        first, second = await browser.get(url), await browser.get(url)  # two tabs
        assert first.status_code == second.status_code == 200
        attempt_id = url.rsplit("/", 1)[1]
        saved = await browser.put(f"/api/v1/quiz-attempts/{attempt_id}/answers/q",
                                  json={"answer": {"text": "hi"}},
                                  headers={"X-CSRF-Token": csrf})
        assert saved.status_code == 200, saved.text
        assert (await AttemptHold.get(attempt_id=attempt_id)).takeovers == 0


async def test_an_attempt_page_on_a_new_device_asks_for_the_code_first(app, locked_course):
    async def browser() -> tuple[httpx.AsyncClient, str]:
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                              base_url="http://testserver")
        return c, await browser_login(c, "ada@example.org")

    (laptop, csrf), (phone, phone_csrf) = await browser(), await browser()
    try:
        r = await laptop.post(f"/courses/{COURSE_ID}/quizzes/locked/attempt",
                              data={"csrf_token": csrf, "access_code": "OWL-42"})
        url = r.headers["location"]
        page = await phone.get(url)
        assert 'class="quiz-access"' in page.text and 'id="quiz-attempt-head"' not in page.text
        assert (await AttemptHold.get(attempt_id=url.rsplit("/", 1)[1])).takeovers == 0
        wrong = await phone.post(f"/courses/{COURSE_ID}/quizzes/locked/attempt",
                                 data={"csrf_token": phone_csrf, "access_code": "nope",
                                       "from_attempt": "1"}, headers={"HX-Request": "true"})
        assert wrong.status_code == 403 and 'id="quiz-access"' in wrong.text
        assert 'value="nope"' in wrong.text
    finally:
        await laptop.aclose()
        await phone.aclose()

