"""The user's time zone: set through the API and the profile page, used by the pages, and the
clock date inputs are typed on (stored in UTC)."""

from __future__ import annotations

import re

import pytest

from tests.grading_app.conftest import COURSE_ID
from tests.grading_app.test_api import api  # noqa: F401  (fixture)
from tests.support.people import browser_login


async def test_me_reports_and_changes_the_time_zone(api):  # noqa: F811
    client, h = api
    ada, bob = h["ada@example.org"], h["bob@example.org"]
    assert (await client.get("/api/v1/me", headers=ada)).json()["timezone"] is None
    bad = await client.patch("/api/v1/me", json={"timezone": "Europe/Atlantis"}, headers=ada)
    assert bad.status_code == 400 and "timezone" in bad.json()["error"]["fields"]
    assert (await client.get("/api/v1/me", headers=ada)).json()["timezone"] is None
    ok = await client.patch("/api/v1/me", json={"timezone": "Europe/Helsinki"}, headers=ada)
    assert ok.status_code == 200 and ok.json()["timezone"] == "Europe/Helsinki"
    # a zone the browser detected is only a default: it never replaces a chosen one
    again = await client.patch("/api/v1/me", json={"timezone": "Europe/Madrid",
                                                   "detected": True}, headers=ada)
    assert again.json()["timezone"] == "Europe/Helsinki"
    first = await client.patch("/api/v1/me", json={"timezone": "Europe/Madrid",
                                                   "detected": True}, headers=bob)
    assert first.json()["timezone"] == "Europe/Madrid"


async def _signed_in_in(client, email: str, zone: str) -> str:
    csrf = await browser_login(client, email)
    r = await client.patch("/api/v1/me", json={"timezone": zone},
                           headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    return csrf


async def test_pages_say_which_zone_to_show_and_detect_it_until_one_is_set(api):  # noqa: F811
    client, _ = api
    csrf = await browser_login(client, "ada@example.org")
    home = (await client.get("/")).text
    assert '<meta name="cw-timezone" content="" data-detect="/api/v1/me">' in home
    await client.patch("/api/v1/me", json={"timezone": "Europe/Madrid"},
                       headers={"X-CSRF-Token": csrf})
    home = (await client.get("/")).text
    assert '<meta name="cw-timezone" content="Europe/Madrid">' in home


async def test_extension_typed_on_the_staff_clock_is_stored_in_utc(api):  # noqa: F811
    client, h = api
    csrf = await _signed_in_in(client, "ta@example.org", "Europe/Helsinki")
    me = (await client.get("/api/v1/me", headers=h["ada@example.org"])).json()
    r = await client.post(f"/courses/{COURSE_ID}/gradebook/extensions", data={
        "csrf_token": csrf, "user_id": str(me["id"]), "block_id": "late",
        "due_at": "2099-01-01T00:00", "extra_attempts": "", "reason": "ill"})
    assert r.status_code == 303, r.text
    listed = (await client.get(f"/api/v1/courses/{COURSE_ID}/extensions",
                               headers=h["ta@example.org"])).json()
    assert listed["extensions"][0]["due_at"] == "2098-12-31T22:00:00+00:00"
    page = (await client.get(f"/courses/{COURSE_ID}/gradebook")).text
    assert ('<time datetime="2098-12-31T22:00:00Z" data-local>Thu 1 Jan 2099, 00:00 EET</time>'
            in page)


@pytest.mark.parametrize(("due_at", "problem"), [
    ("2026-03-29T03:30", "does not exist in Europe/Helsinki"),  # the clocks skip it
    ("2026-02-30T10:00", "Give a date and time like"),
])
async def test_refused_extension_keeps_what_was_typed(api, due_at, problem):  # noqa: F811
    client, h = api
    csrf = await _signed_in_in(client, "ta@example.org", "Europe/Helsinki")
    me = (await client.get("/api/v1/me", headers=h["bob@example.org"])).json()
    r = await client.post(f"/courses/{COURSE_ID}/gradebook/extensions", data={
        "csrf_token": csrf, "user_id": str(me["id"]), "block_id": "late", "due_at": due_at,
        "extra_attempts": "3", "reason": "flu week"}, headers={"HX-Request": "true"})
    assert r.status_code == 400
    form = re.search(r'<form id="extension-form".*?</form>', r.text, re.S)
    assert form, r.text
    html = form.group(0)
    assert problem in html and 'role="alert"' in html
    assert f'value="{due_at}" aria-invalid="true"' in html
    assert 'value="3"' in html and 'value="flu week"' in html
    assert re.search(rf'<option value="{me["id"]}" selected>Bob</option>', html)
    assert '<option value="late" selected>' in html
    listed = (await client.get(f"/api/v1/courses/{COURSE_ID}/extensions",
                               headers=h["ta@example.org"])).json()
    assert listed["extensions"] == []


async def test_profile_page_keeps_an_unknown_zone_with_its_message(api):  # noqa: F811
    client, _ = api
    csrf = await browser_login(client, "ada@example.org")
    bad = await client.post("/profile", data={"csrf_token": csrf, "timezone": "Mars/Olympus"})
    assert bad.status_code == 400
    assert "<option selected>Mars/Olympus</option>" in bad.text
    assert 'id="f-timezone-error"' in bad.text
    ok = await client.post("/profile", data={"csrf_token": csrf, "timezone": "Europe/Helsinki"})
    assert ok.status_code == 200 and "Saved." in ok.text
    assert "<option selected>Europe/Helsinki</option>" in ok.text
    assert re.search(r"<time datetime=\"[^\"]+\" data-local>\w{3} \d+ \w{3} \d{4}, \d\d:\d\d "
                     r"EE(S)?T</time>", ok.text)
