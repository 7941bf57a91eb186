"""The gradebook and a block's submissions page by keyset (API.md "Lists"): following
`Link: rel="next"` reaches every row once, in order, while rows arrive between pages."""

from __future__ import annotations

import re

import pytest

from accounts.service import register_user
from accounts.tokens import issue_token
from courses.service import set_member_role
from models.courses import Role
from tests.grading_app.conftest import COURSE_ID, setup_course
from tests.support.paging import follow_pages
from tests.support.people import browser_login

GRADES = f"/api/v1/courses/{COURSE_ID}/grades"
PICK = f"/api/v1/courses/{COURSE_ID}/blocks/pick/submissions"


@pytest.fixture
async def paged(app, client, tmp_path):
    settings = app.runtime.settings
    prof, ta, ada, bob = await setup_course(settings, tmp_path / "course")

    def headers(user):
        tok = issue_token(user.id, settings.secret_key, settings.token_ttl_seconds)
        return {"Authorization": f"Bearer {tok}"}

    async def enrol(name: str):
        user = await register_user(f"{name.lower()}@example.org", "correct horse battery",
                                   name)
        await set_member_role(prof, COURSE_ID, user.id, Role.STUDENT)
        return user

    return client, headers, enrol, (prof, ta, ada, bob)


async def test_gradebook_pages_reach_every_student_once_in_name_order(paged):
    client, headers, enrol, (_prof, ta, ada, _bob) = paged
    for name in ("Cleo", "Dan", "Eve"):
        await enrol(name)
    rows, pages = await follow_pages(client, GRADES + "?limit=2", headers(ta))
    assert [r["name"] for r in rows] == ["Ada", "Bob", "Cleo", "Dan", "Eve"] and pages == 3
    whole = await client.get(GRADES, headers=headers(ta))
    assert whole.json() == rows and "link" not in whole.headers
    own = await client.get(GRADES + "?limit=1", headers=headers(ada))
    assert [r["user_id"] for r in own.json()] == [ada.id] and "link" not in own.headers


async def test_students_enrolled_between_pages_are_listed_once(paged):
    client, headers, enrol, (_prof, ta, _ada, _bob) = paged
    for name in ("Dan", "Eve"):
        await enrol(name)

    async def between(page: int) -> None:
        if page == 1:  # one sorts into the pages already read, one into those to come
            await enrol("Aaron")
            await enrol("Zed")

    rows, _ = await follow_pages(client, GRADES + "?limit=2", headers(ta), between)
    names = [r["name"] for r in rows]
    assert names == ["Ada", "Bob", "Dan", "Eve", "Zed"]


async def test_gradebook_filters_apply_before_paging(paged):
    client, headers, enrol, (_prof, ta, _ada, _bob) = paged
    for name in ("Cleo", "Dan", "Eve"):
        await enrol(name)
    rows, _ = await follow_pages(client, GRADES + "?limit=1&only=failing&q=d", headers(ta))
    assert [r["name"] for r in rows] == ["Ada", "Dan"]


async def test_block_submissions_page_newest_first_without_duplicates(paged):
    client, headers, _enrol, (_prof, ta, ada, bob) = paged
    made = []
    for who in (ada, bob, ada, bob):
        r = await client.post(PICK, json={"answer": {"choice": "b"}}, headers=headers(who))
        assert r.status_code == 202, r.text
        made.append(r.json()["id"])

    async def between(page: int) -> None:
        if page == 1:
            r = await client.post(PICK.replace("pick", "number"),
                                  json={"answer": {"value": 1}}, headers=headers(ada))
            assert r.status_code == 202, r.text

    rows, pages = await follow_pages(client, PICK + "?limit=3", headers(ta), between)
    assert [r["id"] for r in rows] == sorted(made, reverse=True) and pages == 2
    assert {r["user_id"] for r in rows} == {ada.id, bob.id}
    student = await client.get(PICK, headers=headers(ada))
    assert student.status_code == 403


async def test_bad_paging_parameters_are_clear_400s(paged):
    client, headers, _enrol, (_prof, ta, _ada, _bob) = paged
    for base in (GRADES, PICK, f"/api/v1/courses/{COURSE_ID}/members"):
        for query in ("?limit=0", "?limit=100000", "?limit=x", "?after=1.2", "?after=a",
                      "?after=" + "9" * 40, "?after=99999999999"):
            r = await client.get(base + query, headers=headers(ta))
            assert r.status_code == 400 and r.json()["error"]["message"], (base, query)
    r = await client.get(GRADES + "?after=999999", headers=headers(ta))
    assert r.status_code == 400 and "after" in r.json()["error"]["fields"]


async def test_gradebook_page_loads_more_students_with_its_filters(paged, monkeypatch):
    client, _headers, enrol, (_prof, ta, ada, _bob) = paged
    monkeypatch.setattr("grading.routes.GRADES_LIMIT", 2)
    people = [ada.id, _bob.id] + [(await enrol(name)).id for name in ("Cleo", "Dan", "Eve")]
    await browser_login(client, ta.email)
    url, seen = f"/courses/{COURSE_ID}/gradebook?only=", []
    while url:
        r = await client.get(url)
        assert r.status_code == 200, r.text
        seen += [int(i) for i in re.findall(r'<tr id="gb-row-(\d+)"', r.text)]
        more = re.search(r'hx-get="([^"]*/gradebook/rows[^"]*)"', r.text)
        url = more.group(1).replace("&amp;", "&") if more else None
        assert url is None or "only=" in url
    assert seen == people
    only_d = await client.get(f"/courses/{COURSE_ID}/gradebook?q=d")
    assert "/gradebook/rows" not in only_d.text
    bad = await client.get(f"/courses/{COURSE_ID}/gradebook/rows?after=x")
    assert bad.status_code == 400
