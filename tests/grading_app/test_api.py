"""The grading endpoints of the API contract, through the ASGI app (grading runs in-process)."""

from __future__ import annotations

import asyncio

import pytest

from accounts.tokens import issue_token
from tests.grading_app.conftest import COURSE_ID, setup_course


@pytest.fixture
async def api(app, client, tmp_path):
    settings = app.runtime.settings
    prof, ta, ada, bob = await setup_course(settings, tmp_path / "course")
    tokens = {who.email: issue_token(who.id, settings.secret_key, settings.token_ttl_seconds)
              for who in (prof, ta, ada, bob)}
    return client, {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}


def _url(block_id: str) -> str:
    return f"/api/v1/courses/{COURSE_ID}/blocks/{block_id}/submissions"


async def _final(client, headers, submission_id: int) -> dict:
    for _ in range(200):
        body = (await client.get(f"/api/v1/submissions/{submission_id}", headers=headers)).json()
        if body["status"] in ("graded", "error"):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(body)


async def test_submit_then_read_the_grade(api):
    client, h = api
    r = await client.post(_url("pick"), json={"answer": {"choice": "a"}},
                          headers=h["ada@example.org"])
    assert r.status_code == 202
    body = r.json()
    assert body["status"] == "queued" and body["attempt"] == 1 and isinstance(body["id"], int)
    final = await _final(client, h["ada@example.org"], body["id"])
    assert {k: final[k] for k in ("id", "status", "attempt", "points", "max_points")} == {
        "id": body["id"], "status": "graded", "attempt": 1, "points": 2.0, "max_points": 2.0}
    assert final["graded_at"] and final["feedback"]["summary"] == "Correct"
    staff = await client.get(f"/api/v1/submissions/{body['id']}", headers=h["ta@example.org"])
    assert staff.status_code == 200
    other = await client.get(f"/api/v1/submissions/{body['id']}", headers=h["bob@example.org"])
    assert other.status_code == 404


async def test_bad_answers_use_no_attempt(api):
    client, h = api
    ada = h["ada@example.org"]
    for payload, status in [({"answer": {"choice": "nope"}}, 400), ({"answer": "a"}, 400),
                            ({}, 400), ({"answer": {"code": "x" * 300_000}}, 413)]:
        block = "code" if "code" in str(payload) else "pick"
        r = await client.post(_url(block), json=payload, headers=ada)
        assert r.status_code == status, r.text
        assert r.json()["error"]["code"]
    r = await client.post(_url("pick"), content=b"{not json", headers=ada)
    assert r.status_code == 400
    r = await client.post(_url("pick"), json={"answer": {"choice": "b"}}, headers=ada)
    assert r.json()["attempt"] == 1


async def test_past_max_attempts_is_422(api):
    client, h = api
    ada = h["ada@example.org"]
    for _ in range(2):
        r = await client.post(_url("pick"), json={"answer": {"choice": "b"}}, headers=ada)
        await _final(client, ada, r.json()["id"])
    r = await client.post(_url("pick"), json={"answer": {"choice": "a"}}, headers=ada)
    assert r.status_code == 422 and "attempts" in r.json()["error"]["message"]


async def test_unknown_block_and_non_member(api):
    client, h = api
    r = await client.post(_url("nope"), json={"answer": {"text": "x"}},
                          headers=h["ada@example.org"])
    assert r.status_code == 404
    r = await client.get("/api/v1/submissions/999999", headers=h["ada@example.org"])
    assert r.status_code == 404


async def test_grades_students_see_their_own_staff_see_all(api):
    client, h = api
    r = await client.post(_url("number"), json={"answer": {"value": 42}},
                          headers=h["ada@example.org"])
    await _final(client, h["ada@example.org"], r.json()["id"])
    own = (await client.get(f"/api/v1/courses/{COURSE_ID}/grades",
                            headers=h["ada@example.org"])).json()
    assert [row["name"] for row in own] == ["Ada"]
    number = next(b for b in own[0]["blocks"] if b["block_id"] == "number")
    assert number["points"] == 1.0 and number["status"] == "graded"
    staff = (await client.get(f"/api/v1/courses/{COURSE_ID}/grades",
                              headers=h["ta@example.org"])).json()
    assert sorted(row["name"] for row in staff) == ["Ada", "Bob"]
    assert {t["name"] for t in staff[0]["assignment_types"]} == {"Quiz", "Homework"}


async def test_gradebook_pages_and_csv_are_staff_only(api):
    client, h = api
    r = await client.get(f"/courses/{COURSE_ID}/gradebook.csv", headers=h["ta@example.org"])
    assert r.status_code == 200 and r.text.startswith("user_id,name,email,percent")
    r = await client.get(f"/courses/{COURSE_ID}/gradebook", headers=h["ada@example.org"])
    assert r.status_code == 403
    r = await client.get(f"/courses/{COURSE_ID}/progress", headers=h["ada@example.org"])
    assert r.status_code == 200 and "Course grade" in r.text


async def test_peer_review_answer_with_a_lone_surrogate_is_a_400(api):
    client, h = api
    r = await client.post(_url("essay"), content='{"answer": {"text": "bad \\ud800 text"}}',
                          headers={**h["ada@example.org"], "content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert "invalid Unicode" in r.json()["error"]["message"]


async def test_peer_review_response_from_the_unit_page_form(api):
    """The peer_review type (peer_review.hooks) reads its answer from the form."""
    client, h = api
    r = await client.post(f"/courses/{COURSE_ID}/blocks/essay/submissions",
                          data={"text": "My essay"}, headers=h["ada@example.org"])
    assert r.status_code == 200, r.text
    assert 'data-status="awaiting_peer_review"' in r.text
    rows = (await client.get(f"/api/v1/courses/{COURSE_ID}/grades",
                             headers=h["ada@example.org"])).json()[0]["blocks"]
    essay = next(b for b in rows if b["block_id"] == "essay")
    assert (essay["attempts"], essay["max_points"]) == (1, 2.0)  # the rubric's best options


@pytest.mark.parametrize("raw", ["1_000", "٤٢", "nan", "1e999", "forty-two"])
async def test_html_numeric_form_uses_the_api_number_parser(api, raw):
    client, h = api
    r = await client.post(f"/courses/{COURSE_ID}/blocks/number/submissions",
                          data={"value": raw}, headers=h["ada@example.org"])
    assert r.status_code == 400, r.text
    ok = await client.post(f"/courses/{COURSE_ID}/blocks/number/submissions",
                           data={"value": " 42.0 "}, headers=h["ada@example.org"])
    assert ok.status_code == 200
    sub = (await client.get(f"/api/v1/courses/{COURSE_ID}/grades",
                            headers=h["ada@example.org"])).json()[0]
    assert [b["attempts"] for b in sub["blocks"] if b["block_id"] == "number"] == [1]


async def test_extensions_api_grant_list_revoke(api):
    client, h = api
    base = f"/api/v1/courses/{COURSE_ID}/extensions"
    me = (await client.get("/api/v1/me", headers=h["ada@example.org"])).json()
    body = {"user_id": me["id"], "block_id": "late", "due_at": "2099-01-01T00:00:00Z",
            "extra_attempts": 2, "reason": "ill"}
    # A student cannot grant one, not even to themselves, nor read the list.
    assert (await client.post(base, json=body, headers=h["ada@example.org"])).status_code == 403
    assert (await client.get(base, headers=h["ada@example.org"])).status_code == 403
    r = await client.post(base, json=body, headers=h["ta@example.org"])
    assert r.status_code == 201, r.text
    ext = r.json()
    assert ext["extra_attempts"] == 2 and ext["due_at"].startswith("2099-01-01")
    bad = await client.post(base, json={**body, "due_at": "soon"}, headers=h["ta@example.org"])
    assert bad.status_code == 400
    listed = (await client.get(base, headers=h["ta@example.org"])).json()
    assert [e["id"] for e in listed["extensions"]] == [ext["id"]]
    r = await client.delete(f"{base}/{ext['id']}?reason=oops", headers=h["ada@example.org"])
    assert r.status_code == 403
    r = await client.delete(f"{base}/{ext['id']}?reason=oops", headers=h["ta@example.org"])
    assert r.status_code == 204
    r = await client.delete(f"{base}/{ext['id']}", headers=h["ta@example.org"])
    assert r.status_code == 404
    listed = (await client.get(base, headers=h["ta@example.org"])).json()
    assert listed["extensions"] == []
    assert [(e["action"], e["reason"]) for e in listed["log"]] == [("revoked", "oops"),
                                                                   ("granted", "ill")]
    page = await client.get(f"/courses/{COURSE_ID}/gradebook", headers=h["ta@example.org"])
    assert "Audit trail of extensions" in page.text and "revoked" in page.text


async def test_section_and_only_filters_apply_to_json_and_csv(api):
    client, h = api
    staff = h["ta@example.org"]
    rows = (await client.get(f"/api/v1/courses/{COURSE_ID}/grades", headers=staff)).json()
    more = next(s["id"] for s in rows[0]["sections"] if s["title"] == "More")
    rows = (await client.get(f"/api/v1/courses/{COURSE_ID}/grades?section={more}",
                             headers=staff)).json()
    assert [b["block_id"] for b in rows[0]["blocks"]] == ["code", "essay"]
    assert [s["title"] for s in rows[0]["sections"]] == ["More"]
    csv_text = (await client.get(f"/courses/{COURSE_ID}/gradebook.csv?section={more}",
                                 headers=staff)).text
    header = csv_text.splitlines()[0]
    assert "code (3)" in header and "pick (2)" not in header and "section Basics" not in header
    r = await client.get(f"/api/v1/courses/{COURSE_ID}/grades?section=nope", headers=staff)
    assert r.status_code == 400
    r = await client.post(_url("pick"), json={"answer": {"choice": "a"}},
                          headers=h["ada@example.org"])
    await _final(client, h["ada@example.org"], r.json()["id"])
    failing = (await client.get(f"/api/v1/courses/{COURSE_ID}/grades?only=failing",
                                headers=staff)).json()
    assert sorted(r["name"] for r in failing) == ["Ada", "Bob"]  # 2/3 of Quiz one: 33 %
    r = await client.post(_url("number"), json={"answer": {"value": 42}},
                          headers=h["ada@example.org"])
    await _final(client, h["ada@example.org"], r.json()["id"])
    failing = (await client.get(f"/api/v1/courses/{COURSE_ID}/grades?only=failing",
                                headers=staff)).json()
    assert [r["name"] for r in failing] == ["Bob"]
