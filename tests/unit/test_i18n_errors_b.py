"""Refusals of grading, peer_review, quizzes and lti speak the language of the request:
the message is translated where it is raised, placeholders filled after translation."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import i18n
from core.errors import BadInput, PermissionDenied
from grading.counting import CountingRule
from grading.outline_marks import UnitMark
from lti.registrations import validate_registration
from quizzes.exam_access import check_access_code

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def catalogues():
    # Installing a package loads them; a unit test loads them itself.
    for package in ("grading", "peer_review", "quizzes", "lti"):
        i18n.add_locale_dir(ROOT / package / "locale")


@pytest.mark.parametrize(("code", "message", "field"), [
    ("en", "That access code is not right: check it with your proctor.", "Not right."),
    ("fi", "Pääsykoodi ei ole oikea: tarkista se valvojaltasi.", "Väärin."),
    ("es", "Ese código de acceso no es correcto: compruébalo con tu supervisor.",
     "Incorrecto."),
])
def test_a_quiz_refusal_in_each_language(code, message, field):
    with i18n.use_language(code), pytest.raises(PermissionDenied) as refused:
        check_access_code({"access_code": "OPEN-SESAME"}, "guess")
    assert refused.value.message == message
    assert refused.value.fields == {"access_code": field}


def test_a_form_refusal_names_each_field_in_the_language_with_its_numbers():
    form = {"issuer": "https://lms.example.org", "client_id": "x" * 300,
            "deployment_ids": "d-1", "auth_login_url": "nope",
            "auth_token_url": "https://lms.example.org/token",
            "key_set_url": "https://lms.example.org/jwks"}
    with i18n.use_language("es"), pytest.raises(BadInput) as refused:
        validate_registration(form)
    assert refused.value.message == "Corrige los campos resaltados."
    assert refused.value.fields["auth_login_url"] == "Introduce una URL http(s)."
    assert refused.value.fields["client_id"].startswith("Usa como máximo ")
    assert refused.value.fields["client_id"].endswith(" caracteres.")
    assert any(ch.isdigit() for ch in refused.value.fields["client_id"])


def test_labels_built_in_python_are_looked_up_when_shown():
    mark = UnitMark("course-v1:A+B+C", "unit", "in-progress")
    with i18n.use_language("fi"):
        assert mark.label == "Kesken"
        assert CountingRule.LAST.label == "viimeisin arvioitu yritys"
    with i18n.use_language("es"):
        assert mark.label == "En curso"
    assert mark.label == "In progress"


def _widget(code: str) -> str:
    from types import SimpleNamespace as NS

    import grading.fragments  # noqa: F401  (its template folder and DOM id helpers)
    from core.templating import env
    latest = NS(status=NS(value="graded"), attempt=2, points=1.0, max_points=1.0, id=7,
                feedback={"summary": "Correct", "items": [
                    {"label": "4", "passed": True, "message": "Correct"}]})
    state = NS(latest=latest, course_id="course-v1:A+B+C", block=NS(
        id="p1", counting_rule=NS(value="highest")), override_points=None, best=latest,
        counted=None, used_attempts=2, max_attempts=3, deadline=NS(due_at=None))
    with i18n.use_language(code):
        return env.get_template("grading/_widget.html").render(state=state)


@pytest.mark.parametrize(("code", "words"), [
    ("en", ["Attempt 2:", "— Correct", "Attempts used: 2 of 3."]),
    ("fi", ["Yritys 2:", "— Oikein", "Yrityksiä käytetty: 2/3."]),
    ("es", ["Intento 2:", "— Correcto", "Intentos usados: 2 de 3."]),
])
def test_the_submit_widget_and_a_graders_verdict_in_each_language(code, words):
    html = _widget(code)
    for text in words:
        assert text in html, (text, html)
    if code != "en":
        assert "Correct<" not in html and "Attempts used" not in html
