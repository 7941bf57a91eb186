"""The LTI admin page in Finnish and Spanish (the browser's Accept-Language)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.people import browser_login, person

WORDS = {"fi": ["LTI-alustat", "Rekisteröi alusta", "Kirjautumisen aloitusosoite",
                "Yhtään alustaa ei ole vielä rekisteröity.", "Myöntäjä (alustan osoite)"],
         "es": ["Plataformas LTI", "Registrar una plataforma", "URL de inicio de sesión",
                "Aún no hay ninguna plataforma registrada.", "Emisor (la URL de la plataforma)"]}
ENGLISH = ["Register a platform", "Login initiation URL", "No platform is registered yet.",
           "Issuer (the platform's URL)", "Rotate the tool"]


@pytest.mark.parametrize("language", ["fi", "es"])
async def test_the_registrations_page_in_the_browsers_language(app, language):
    await person("admin@example.org", admin=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver",
                                 headers={"Accept-Language": language}) as browser:
        await browser_login(browser, "admin@example.org")
        page = await browser.get("/lti/registrations")
    assert page.status_code == 200
    for text in WORDS[language]:
        assert text in page.text, text
    assert not [text for text in ENGLISH if text in page.text]
