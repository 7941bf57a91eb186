"""The language a person reads: their setting, else the session's choice, else the browser's;
for pages, errors from before any route, JSON errors, mail and the live frames."""

from __future__ import annotations

import re

import httpx

from core.i18n import gettext as _
from core.i18n import use_language
from courseware.service import import_course_folder
from models.users import User
from realtime.publish import encode_html, in_every_language
from tests.grading_app.conftest import COURSE_ID, write_course
from tests.support.mailbox import deliver, outbox
from tests.support.people import browser_login, person, token


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert m
    return m.group(1)


def lang_of(html: str) -> str:
    m = re.search(r'<html lang="([^"]+)"', html)
    assert m
    return m.group(1)


async def test_a_signed_out_visitor_gets_the_browsers_language(client):
    page = await client.get("/login", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert lang_of(page.text) == "es"
    assert "Iniciar sesión" in page.text and "Contraseña" in page.text
    english = await client.get("/login", headers={"Accept-Language": "de"})
    assert lang_of(english.text) == "en" and "Password" in english.text


async def test_errors_before_any_route_are_in_the_visitors_language(client):
    await client.get("/login")
    # CSRF refusal: the guard runs before the route, so only the middleware set a language
    r = await client.post("/login", data={"email": "a@b.c", "password": "x"},
                          headers={"Accept-Language": "fi"})
    assert r.status_code == 403
    assert "CSRF-tarkistus epäonnistui" in r.text and lang_of(r.text) == "fi"
    missing = await client.get("/api/v1/me", headers={"Accept-Language": "es"})
    assert missing.status_code == 401
    assert missing.json()["error"]["message"] == "Inicia sesión."


async def test_the_footer_switcher_keeps_a_signed_out_visitors_choice(client):
    page = await client.get("/login", headers={"Accept-Language": "es"})
    assert 'id="language-switcher"' in page.text
    r = await client.post("/language", data={"language": "fi", "next": "/login",
                                             "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    again = await client.get("/login", headers={"Accept-Language": "es"})
    assert lang_of(again.text) == "fi" and "Kirjaudu sisään" in again.text
    bad = await client.post("/language", data={"language": "xx", "next": "/",
                                               "csrf_token": csrf_of(page.text)})
    assert bad.status_code == 422 and "valitse jokin näistä: en, fi, es" in bad.text
    offsite = await client.post("/language", data={"language": "es", "next": "//evil.example",
                                                   "csrf_token": csrf_of(page.text)})
    assert offsite.headers["location"] == "/"


async def test_the_profile_setting_wins_and_follows_the_user_to_errors(client):
    await person("ada@example.org")
    csrf = await browser_login(client, "ada@example.org")
    page = await client.get("/profile")
    assert 'id="f-language"' in page.text and lang_of(page.text) == "en"
    r = await client.post("/profile", data={"csrf_token": csrf, "timezone": "UTC",
                                            "language": "fi"})
    assert r.status_code == 200 and lang_of(r.text) == "fi" and "Tallennettu." in r.text
    assert (await User.get(email="ada@example.org")).language == "fi"
    # the session knows it too: a 404 from no route at all is Finnish, whatever the browser
    gone = await client.get("/no/such/page", headers={"Accept-Language": "es"})
    assert gone.status_code == 404 and lang_of(gone.text) == "fi" and "Ei löytynyt" in gone.text


async def test_patch_me_sets_and_validates_the_language(client):
    await person("ada@example.org")
    csrf = await browser_login(client, "ada@example.org")
    headers = {"X-CSRF-Token": csrf}
    r = await client.patch("/api/v1/me", json={"language": "es"}, headers=headers)
    assert r.status_code == 200 and r.json()["language"] == "es"
    bad = await client.patch("/api/v1/me", json={"language": "klingon"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == {"language": "Idioma desconocido."}
    assert (await User.get(email="ada@example.org")).language == "es"
    back = await client.patch("/api/v1/me", json={"language": None}, headers=headers)
    assert back.json()["language"] is None
    page = await client.get("/", headers={"Accept-Language": "fi"})
    assert lang_of(page.text) == "fi"  # no setting: the browser's language again


async def test_a_choice_made_signed_out_survives_signing_in_to_an_account_without_one(client):
    await person("ada@example.org")
    page = await client.get("/login")
    await client.post("/language", data={"language": "es", "next": "/",
                                         "csrf_token": csrf_of(page.text)})
    await browser_login(client, "ada@example.org")
    assert lang_of((await client.get("/")).text) == "es"


async def test_mail_is_in_the_recipients_language(client, settings):
    ada = await person("ada@example.org")
    ada.language = "fi"
    await ada.save()
    r = await client.post("/api/v1/auth/password-reset", json={"email": "ada@example.org"},
                          headers={"Accept-Language": "es"})
    assert r.status_code == 202
    await deliver(settings)
    mail = outbox(settings.data_dir)[-1]
    assert mail["Subject"] == "Vaihda Coursewire-salasanasi"
    body = mail.get_body(("plain",)).get_content()
    assert "Hei Ada," in body and "Valitse uusi salasana" in body


def test_a_live_frame_is_rendered_in_every_language_and_picked_by_the_socket():
    def fragments() -> dict[str, str]:
        return {"*": f"<p>{_('Saved.')}</p>", "staff": "<p>42</p>"}

    html = in_every_language(fragments)
    # the staff fragment has no words: stored once, for every language
    assert html == {"*": "<p>Saved.</p>", "*@fi": "<p>Tallennettu.</p>",
                    "*@es": "<p>Guardado.</p>", "staff": "<p>42</p>"}
    message = {"html": html}
    assert encode_html(message, "student", "fi") == "<p>Tallennettu.</p>"
    assert encode_html(message, "student", "en") == "<p>Saved.</p>"
    assert encode_html(message, "staff", "es") == "<p>42</p>"
    with use_language("es"):  # the publisher's own language does not matter
        assert in_every_language(fragments) == html


async def test_the_course_content_carries_the_courses_language_not_the_viewers(app, tmp_path):
    app.runtime.bind()
    folder = write_course(tmp_path / "course")
    with (folder / "course.yaml").open("a", encoding="utf-8") as yaml:
        yaml.write("language: fi\n")
    prof = await person("prof@example.org", creator=True)
    await import_course_folder(None, folder, publish=True, instructor=prof)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        await browser_login(client, "prof@example.org")
        page = await client.get(f"/courses/{COURSE_ID}", headers={"Accept-Language": "es"})
    assert page.status_code == 200
    assert lang_of(page.text) == "es"  # the interface: the viewer's
    assert re.search(r'class="course-content" lang="fi"', page.text)  # the content: the course's
    assert re.search(r'class="course-title" lang="fi"', page.text)


async def test_an_api_client_gets_errors_in_its_users_language(client):
    ada = await person("ada@example.org")
    ada.language = "es"
    await ada.save()
    headers = {"Authorization": f"Bearer {await token(client, 'ada@example.org')}",
               "Accept-Language": "fi"}
    r = await client.patch("/api/v1/me", json={"timezone": "Mars/Base"}, headers=headers)
    assert r.status_code == 400
    assert r.json()["error"]["fields"] == {"timezone": "Zona horaria desconocida."}
