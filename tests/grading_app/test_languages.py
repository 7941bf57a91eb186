"""The gradebook, the progress page and the peer review page in Finnish and Spanish: the
language comes from the browser (Accept-Language) when the user has set none."""

from __future__ import annotations

import httpx
import pytest

from tests.grading_app.conftest import COURSE_ID, setup_course
from tests.peer_review.conftest import BLOCK, EXTRA
from tests.support.people import browser_login

GRADEBOOK = f"/courses/{COURSE_ID}/gradebook"
PROGRESS = f"/courses/{COURSE_ID}/progress"
PEER = f"/courses/{COURSE_ID}/peer-review/{BLOCK}"

# Labels only these packages' templates print: none may stay English in fi or es.
ENGLISH = {
    GRADEBOOK: ["Set a grade by hand", "Grant an extension", "Audit trail of manual grades",
                "Download CSV", "Below the pass mark", "No manual grades yet."],
    PROGRESS: ["Your progress", "Course grade:", "By unit"],
    PEER: ["Your response", "Review your classmates", "Submit for peer review",
           "Reviews are anonymous both ways.", "Submit your own response first"],
}
TRANSLATED = {
    "fi": {GRADEBOOK: ["Arvosanat", "Aseta arvosana käsin", "Myönnä lisäaikaa",
                       "Käsin asetettujen arvosanojen muutoshistoria", "Lataa CSV"],
           PROGRESS: ["Edistymisesi", "Kurssiarvosana:", "Yksiköittäin"],
           PEER: ["Vastauksesi", "Arvioi kurssitovereitasi", "Lähetä vertaisarviointiin",
                  "Arvioinnit ovat anonyymejä molempiin suuntiin.",
                  "jokaisen vastauksen arvioi 2 kurssitoveria;"]},
    "es": {GRADEBOOK: ["Calificaciones", "Fijar una nota a mano",
                       "Conceder una prórroga", "Registro de auditoría de notas manuales",
                       "Descargar CSV"],
           PROGRESS: ["Tu progreso", "Nota del curso:", "Por unidad"],
           PEER: ["Tu respuesta", "Revisa a tus compañeros", "Enviar a revisión por pares",
                  "Las revisiones son anónimas en ambos sentidos.",
                  "cada respuesta la revisan 2 compañeros;"]},
}
WHO = {GRADEBOOK: "ta", PROGRESS: "ada", PEER: "ada"}


@pytest.fixture
async def browsers(app, tmp_path):
    await setup_course(app.runtime.settings, tmp_path / "course", EXTRA)
    opened = []

    async def browser(name: str, language: str | None) -> httpx.AsyncClient:
        headers = {"Accept-Language": language} if language else {}
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                              base_url="http://testserver", headers=headers)
        opened.append(c)
        await browser_login(c, f"{name}@example.org")
        return c

    yield browser
    for c in opened:
        await c.aclose()


@pytest.mark.parametrize("language", ["fi", "es"])
@pytest.mark.parametrize("url", [GRADEBOOK, PROGRESS, PEER])
async def test_the_page_in_the_browsers_language(browsers, url, language):
    browser = await browsers(WHO[url], f"{language}-{language.upper()},en;q=0.5")
    page = await browser.get(url)
    assert page.status_code == 200
    for text in TRANSLATED[language][url]:
        assert text in page.text, text
    left = [text for text in ENGLISH[url] if text in page.text]
    assert not left, f"English left on {url} in {language}: {left}"


async def test_english_without_a_language(browsers):
    browser = await browsers("ada", None)
    page = await browser.get(PEER)
    assert "Review your classmates" in page.text and "Arvioi" not in page.text
