"""A representative page of courses, courseware, announcements and the forum, in Finnish
(the user's own setting) and Spanish (the browser's Accept-Language): translated labels,
no English leftovers of the key ones, and a refusal's message in the reader's language."""

from __future__ import annotations

import httpx
import pytest

from courses.service import create_course, set_member_role
from courseware.service import DEMO_COURSE_FOLDER, import_course_folder
from models.users import User
from tests.support.people import browser_login, person

EXPECTED = {
    "fi": {"members": ["Osallistujat", "Kutsulinkit", "Tuo CSV-tiedostosta", "Opiskelija",
                       "Omatoiminen liittyminen", "3 osallistujaa"],
           "studio": ["Rakenne-editori", "Kurssin etusivu", "Lisää: ", "Siirrä ylös",
                      '<span class="studio-type">Luku</span>'],
           "home": ["Tiedotteet", "Lähetä kaikille osallistujille", "Kurssin rakenne"],
           "forum": ["Keskustelualue", "Aloita ketju", "Omat viestit", "Julkaise ketju",
                     "Näytä nimeni", "Ei vielä ketjuja."],
           "thread": ["0 vastausta", "Lopeta ketjun seuraaminen", "Vastauksesi",
                      "Lähetä vastaus"],
           "error": "Anna otsikko."},
    "es": {"members": ["Miembros", "Enlaces de invitación", "Importar desde CSV", "Estudiante",
                       "Automatriculación", "3 miembros"],
           "studio": ["Editor del esquema", "Inicio del curso", "Añadir: ", "Subir",
                      '<span class="studio-type">Capítulo</span>'],
           "home": ["Anuncios", "Publicar para todos los miembros", "Esquema del curso"],
           "forum": ["Foro", "Iniciar un hilo", "Mis mensajes", "Publicar hilo",
                     "Mostrar mi nombre", "Todavía no hay hilos."],
           "thread": ["0 respuestas", "Dejar de seguir este hilo", "Tu respuesta",
                      "Publicar respuesta"],
           "error": "Escribe un título."},
}
ENGLISH = {"members": ["Invite links", "Import from CSV", "Self-enrolment", ">Remove<",
                       "3 members", ">Student<"],
           "studio": ["Outline editor", "Course home", "Move up", "Discard unpublished",
                      '<span class="studio-type">Chapter</span>'],
           "home": ["Post to all members", 'aria-label="Announcements"',
                    'aria-label="Course outline"'],
           "forum": ["Start a thread", "My posts", "Post thread", "Show my name",
                     "No threads yet."],
           "thread": ["0 replies", "ollow this thread", "Your reply", "Post reply"]}


def client(app, language: str, by_setting: bool) -> httpx.AsyncClient:
    headers = {} if by_setting else {"Accept-Language": f"{language}-{language.upper()},en;q=0.5"}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://testserver", headers=headers)


@pytest.mark.parametrize(("language", "by_setting"), [("fi", True), ("es", False)])
async def test_course_pages_speak_the_readers_language(app, language, by_setting):
    prof = await person("prof@example.org", "Pat Prof", creator=True)
    ta, ada = await person("ta@example.org"), await person("ada@example.org")
    course = await create_course(prof, "Coursewire", "PY101", "2026", "Python from scratch")
    for member, role in ((ta, "ta"), (ada, "student")):
        await set_member_role(prof, course.id, member.id, role)
    await import_course_folder(prof, DEMO_COURSE_FOLDER, course_id=course.id, publish=True)
    if by_setting:
        await User.filter(id=prof.id).update(language=language)
    want = EXPECTED[language]
    async with client(app, language, by_setting) as browser:
        csrf = await browser_login(browser, "prof@example.org")
        pages = {"members": f"/courses/{course.id}/members",
                 "studio": f"/courses/{course.id}/studio",
                 "home": f"/courses/{course.id}",
                 "forum": f"/courses/{course.id}/forum"}
        for name, url in pages.items():
            page = await browser.get(url)
            assert page.status_code == 200, (url, page.status_code)
            for text in want[name]:
                assert text in page.text, (language, name, text)
            for text in ENGLISH[name]:
                assert text not in page.text, (language, name, text)
        # A refusal from Python (the thread form's field error) comes back translated too,
        # with what was typed kept.
        r = await browser.post(f"/courses/{course.id}/forum/threads",
                               headers={"HX-Request": "true", "X-CSRF-Token": csrf},
                               data={"title": "", "body": "Typed text", "type": "question"})
        assert r.status_code == 400 and want["error"] in r.text and "Typed text" in r.text
        assert "Enter a title." not in r.text
        r = await browser.post(f"/courses/{course.id}/forum/threads",
                               headers={"X-CSRF-Token": csrf}, follow_redirects=True,
                               data={"title": "Kysymys", "body": "Miten?", "type": "question"})
        assert r.status_code == 200
        thread = await browser.get(str(r.url))
        for text in want["thread"]:
            assert text in thread.text, (language, "thread", text)
        for text in ENGLISH["thread"]:
            assert text not in thread.text, (language, "thread", text)
