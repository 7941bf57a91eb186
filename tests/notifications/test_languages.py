"""A notification is read in its reader's language, whatever language the request that
caused it ran in: the inbox, the bell, the API, the pushed frames and the mails."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from announcements.service import post_announcement
from core.i18n import use_language
from core.templating import render
from models.mail import OutgoingMail
from models.notifications import Notification
from models.users import User
from notifications import digest, events
from notifications.consumer import consume_once, ensure_cursor
from notifications.kinds import Kind, Mode
from notifications.preferences import set_modes
from tests.support.people import bearer, browser_login, token

# The event log's HTML is read in each language (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("every_language_live")

URL = "https://cw.example"
FI = "Tiedote kurssilla Course CS101: Lab today"
ES = "Anuncio en Course CS101: Lab today"
EN = "Announcement in Course CS101: Lab today"


async def _speaks(user: User, code: str) -> None:
    user.language = code
    await User.filter(id=user.id).update(language=code)


async def test_made_in_english_read_in_each_readers_language(cast, monkeypatch):
    await _speaks(cast.ada, "fi")
    await _speaks(cast.cy, "es")
    await set_modes(cast.ada.id, {Kind.ANNOUNCEMENT: Mode.IMMEDIATE})
    pushed: list[tuple[str, str, dict, dict]] = []

    async def capture(topic, name, data, html):
        pushed.append((topic, name, data, html))

    monkeypatch.setattr(events, "publish", capture)
    await ensure_cursor()
    with use_language("en"):  # the teacher's English request, and its consumer round
        await post_announcement(cast.teacher, cast.course.id, "Lab today", "x")
        assert await consume_once(URL, settle=timedelta(0))
    n = await Notification.get(user_id=cast.ada.id)
    assert n.params == {"course": "Course CS101", "title": "Lab today"} and n.title == EN
    # The inbox row: rendered when shown, in the language of whoever shows it.
    for code, text in (("fi", FI), ("es", ES), ("en", EN)):
        with use_language(code):
            assert text in render("notifications/_item.html", n=n, oob=False)
    # The pushed bell and item: every language, the page's own picked by the hub.
    frame = next(html for topic, name, _, html in pushed
                 if topic == f"user:{cast.ada.id}" and name == events.CREATED.name)
    assert FI in frame["self@fi"] and "Saapuneet" in frame["self@fi"]
    assert ES in frame["self@es"] and "Bandeja de entrada" in frame["self@es"]
    assert EN in frame["self"] and FI not in frame["self"]
    # The mail at once: the recipient's language, not the request's.
    subject, text = (await OutgoingMail.get(to_address=cast.ada.email).values_list(
        "subject", "text_body"))
    assert subject == FI and text.lstrip().startswith(f"Hei {cast.ada.name},")
    assert "Saapuneet-kansiosi" in text and "Announcement" not in text


async def test_the_digest_is_in_its_recipients_language(cast):
    await _speaks(cast.cy, "es")
    await _speaks(cast.ada, "fi")
    await ensure_cursor()
    with use_language("en"):
        await post_announcement(cast.teacher, cast.course.id, "Lab today", "x")
        assert await consume_once(URL, settle=timedelta(0))
        assert await digest.run_digest("2026-03-02", URL) >= 2
    mails = {to: (subject, text) for to, subject, text in await OutgoingMail.all().values_list(
        "to_address", "subject", "text_body")}
    subject, text = mails[cast.cy.email]
    assert subject == "Coursewire: 1 notificación sin leer"
    assert ES in text and "Desde el último resumen:" in text and EN not in text
    subject, text = mails[cast.ada.email]
    assert subject == "Coursewire: 1 lukematon ilmoitus" and FI in text
    subject, text = mails[cast.ta.email]  # no language of their own: English
    assert subject == "Coursewire: 1 unread notification" and EN in text


async def _until_notified(user_id: int) -> None:
    for _ in range(200):
        if await Notification.filter(user_id=user_id).exists():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the consumer did not get there in time")


async def test_a_finnish_users_inbox_bell_and_api_are_finnish(client, app_cast):
    cast = app_cast
    await _speaks(cast.ada, "fi")
    teacher = bearer(await token(client, cast.teacher.email))
    r = await client.post(f"/api/v1/courses/{cast.course.id}/announcements",
                          headers={**teacher, "Accept-Language": "en"},
                          json={"title": "Lab today", "body": "text"})
    assert r.status_code == 201, r.text
    await _until_notified(cast.ada.id)
    ada = bearer(await token(client, cast.ada.email))
    body = (await client.get("/api/v1/me/notifications", headers=ada)).json()
    assert [n["title"] for n in body["notifications"]] == [FI]
    assert body["notifications"][0]["params"]["title"] == "Lab today"
    # A caller who speaks no language of their own gets the one they ask for.
    bob = bearer(await token(client, cast.bob.email))
    body = (await client.get("/api/v1/me/notifications",
                             headers={**bob, "Accept-Language": "es"})).json()
    assert [n["title"] for n in body["notifications"]] == [ES]
    await browser_login(client, cast.ada.email)
    page = await client.get("/inbox", headers={"Accept-Language": "en"})
    assert FI in page.text and "Merkitse luetuksi" in page.text and EN not in page.text
    bell = await client.get("/inbox/bell")
    assert "Saapuneet: 1 lukematon ilmoitus" in bell.text
