"""The inbox's JSON API and pages, with the app's own consumer running in the background."""

from __future__ import annotations

import asyncio

from models.notifications import Notification
from tests.support.people import bearer, browser_login, token


async def _until(check, tries: int = 200) -> None:
    """Wait for the app's consumer (it runs in the background) to have done `check`."""
    for _ in range(tries):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the consumer did not get there in time")


async def _announce(client, cast, title: str) -> None:
    teacher = bearer(await token(client, cast.teacher.email))
    r = await client.post(f"/api/v1/courses/{cast.course.id}/announcements", headers=teacher,
                          json={"title": title, "body": "text"})
    assert r.status_code == 201, r.text


async def test_notifications_api_lists_pages_and_marks_read(client, app_cast):
    cast = app_cast
    for i in range(3):
        await _announce(client, cast, f"Notice {i}")
    await _until(lambda: _count(cast.ada.id, 3))
    ada = bearer(await token(client, cast.ada.email))
    r = await client.get("/api/v1/me/notifications?limit=2", headers=ada)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["unread"] == 3
    assert [n["title"] for n in body["notifications"]] == [
        "Announcement in Course CS101: Notice 2", "Announcement in Course CS101: Notice 1"]
    assert body["notifications"][0]["kind"] == "announcement"
    assert body["notifications"][0]["read_at"] is None
    nxt = r.headers["link"].split(">")[0].lstrip("<")
    rest = (await client.get(nxt, headers=ada)).json()["notifications"]
    assert [n["title"] for n in rest] == ["Announcement in Course CS101: Notice 0"]
    first = body["notifications"][0]["id"]
    r = await client.post(f"/api/v1/me/notifications/{first}/read", headers=ada)
    assert r.status_code == 200 and r.json()["read_at"]
    assert (await client.get("/api/v1/me/notifications", headers=ada)).json()["unread"] == 2
    # Another person's notification is not found, not theirs to mark.
    bob = bearer(await token(client, cast.bob.email))
    r = await client.post(f"/api/v1/me/notifications/{first}/read", headers=bob)
    assert r.status_code == 404 and "inbox" in r.json()["error"]["message"]
    r = await client.post("/api/v1/me/notifications/read-all", headers=ada)
    assert r.json() == {"marked": 2, "unread": 0}
    assert (await client.get("/api/v1/me/notifications", headers=bob)).json()["unread"] == 3


async def _count(user_id: int, n: int) -> bool:
    return await Notification.filter(user_id=user_id).count() >= n


async def test_bad_requests_get_clear_4xx(client, app_cast):
    ada = bearer(await token(client, app_cast.ada.email))
    for url in ("/api/v1/me/notifications?limit=0", "/api/v1/me/notifications?after=x"):
        r = await client.get(url, headers=ada)
        assert r.status_code == 400, url
        assert r.json()["error"]["message"]
    r = await client.post("/api/v1/me/notifications/99999999999999999999/read", headers=ada)
    assert r.status_code == 404
    r = await client.put("/api/v1/me/notification-preferences", headers=ada,
                         json={"grade": "sometimes", "gossip": "inbox"})
    assert r.status_code == 400
    fields = r.json()["error"]["fields"]
    assert "inbox" in fields["grade"] and "gossip" in fields
    r = await client.put("/api/v1/me/notification-preferences", headers=ada, json=[1])
    assert r.status_code == 400
    # a mode that is not text (the fuzzer's find: a list was looked up in a dict -> 500)
    r = await client.put("/api/v1/me/notification-preferences", headers=ada,
                         json={"grade": [1, [False]], "announcement": {}})
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"grade", "announcement"}
    assert (await client.get("/api/v1/me/notifications")).status_code == 401


async def test_preferences_api_changes_only_the_kinds_named(client, app_cast):
    ada = bearer(await token(client, app_cast.ada.email))
    r = await client.get("/api/v1/me/notification-preferences", headers=ada)
    assert r.json() == {"forum_reply": "digest", "grade": "inbox", "peer_review": "immediate",
                        "announcement": "digest", "quiz_result": "immediate"}
    r = await client.put("/api/v1/me/notification-preferences", headers=ada,
                         json={"grade": "immediate"})
    assert r.status_code == 200 and r.json()["grade"] == "immediate"
    assert r.json()["forum_reply"] == "digest"
    r = await client.get("/api/v1/me/notification-preferences", headers=ada)
    assert r.json()["grade"] == "immediate"


async def test_inbox_page_bell_and_forms(client, app_cast):
    cast = app_cast
    await _announce(client, cast, "Room change")
    await _until(lambda: _count(cast.ada.id, 1))
    csrf = await browser_login(client, cast.ada.email)
    bell = await client.get("/inbox/bell")
    assert 'id="inbox-bell"' in bell.text and 'unread-count">1</span>' in bell.text
    page = await client.get("/inbox")
    assert page.status_code == 200 and "Room change" in page.text
    assert "inbox%3A" in page.text or f"inbox:{cast.ada.id}" in page.text  # follows live
    n = await Notification.get(user_id=cast.ada.id)
    r = await client.get(f"/inbox/{n.id}/open")
    assert r.status_code == 303 and r.headers["location"] == f"/courses/{cast.course.id}"
    assert (await Notification.get(id=n.id)).read_at is not None
    r = await client.post("/inbox/read-all", data={"csrf_token": csrf})
    assert r.status_code == 303
    r = await client.post("/inbox/preferences", data={"csrf_token": csrf, "grade": "never"})
    assert r.status_code == 400 and "Choose one of" in r.text
    assert 'value="never"' not in r.text  # the form comes back with the valid choices
    assert "Mark all read" in r.text  # a plain form gets the whole page back
    r = await client.post("/inbox/preferences", data={"csrf_token": csrf, "grade": "digest"},
                          headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert r.status_code == 200 and "Saved." in r.text
    r = await client.post("/inbox/preferences", data={"csrf_token": csrf, "grade": "inbox"})
    assert r.status_code == 303 and r.headers["location"] == "/inbox#preferences"
    r = await client.get("/inbox?limit=abc")
    assert r.status_code == 400
