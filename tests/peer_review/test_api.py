"""The peer review endpoints of API.md, through the ASGI app."""

from __future__ import annotations

import pytest

from app.auth.tokens import issue_token
from models.peer_review import PeerReviewer
from tests.grading_app.conftest import COURSE_ID, setup_course
from tests.peer_review.conftest import BLOCK, EXTRA, GOOD

PR = f"/api/v1/peer-review/{COURSE_ID}/{BLOCK}"


@pytest.fixture
async def api(app, client, tmp_path):
    settings = app.runtime.settings
    people = await setup_course(settings, tmp_path / "course", EXTRA)
    headers = {who.email.split("@")[0]: {"Authorization": "Bearer " + issue_token(
        who.id, settings.secret_key, settings.token_ttl_seconds)} for who in people}
    return client, headers, {who.email.split("@")[0]: who for who in people}


async def _submit(client, headers, text: str) -> dict:
    r = await client.post(f"/api/v1/courses/{COURSE_ID}/blocks/{BLOCK}/submissions",
                          json={"answer": {"text": text}}, headers=headers)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "awaiting_peer_review"
    return r.json()


async def test_next_waits_then_returns_the_pushed_lease_without_the_author(api):
    client, h, who = api
    r = await client.get(f"{PR}/next", headers=h["ada"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_state"
    await _submit(client, h["ada"], "First essay")
    r = await client.get(f"{PR}/next", headers=h["ada"])
    assert r.status_code == 204
    assert await PeerReviewer.exists(reviewer_id=who["ada"].id, waiting_since__isnull=False)
    await _submit(client, h["bob"], "Second essay")
    r = await client.get(f"{PR}/next", headers=h["ada"])
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"id", "submission", "rubric", "due_at"}
    assert body["submission"]["answer"] == {"text": "Second essay"}
    assert [c["name"] for c in body["rubric"]["criteria"]] == ["ideas", "style"]
    for secret in ("Bob", "bob@example.org", '"user_id"', '"author'):
        assert secret not in r.text
    again = await client.get(f"{PR}/next", headers=h["ada"])
    assert again.json()["id"] == body["id"]  # the open lease, handed back


async def test_assessment_scores_and_result(api):
    client, h, _ = api
    await _submit(client, h["ada"], "First essay")
    await _submit(client, h["bob"], "Second essay")
    lease = (await client.get(f"{PR}/next", headers=h["bob"])).json()
    url = f"/api/v1/peer-review/assignments/{lease['id']}/assessment"
    r = await client.post(url, json={"scores": {"ideas": "many"}}, headers=h["bob"])
    assert r.status_code == 400 and "scores.style" in r.json()["error"]["fields"]
    r = await client.post(url, json=GOOD, headers=h["ada"])
    assert r.status_code == 404  # not Ada's assignment
    r = await client.post(url, json=GOOD, headers=h["bob"])
    assert r.status_code == 201 and r.json()["points"] == 5
    r = await client.post(url, json=GOOD, headers=h["bob"])
    assert r.status_code == 409
    result = (await client.get(f"{PR}/result", headers=h["ada"])).json()
    assert result["status"] == "waiting_for_your_reviews" and result["points"] is None
    assert result["reviews_received"] == 1 and result["reviews_required"] == 2
    # The staff assessment overrides and releases the score at once.
    board = (await client.get(f"{PR}/board", headers=h["ta"])).json()
    assert board["responses"] == 2 and board["short_of_graded_by"] == 2
    ada_row = next(row for row in board["short"] if row["author"] == "Ada")
    r = await client.post(f"/api/v1/peer-review/responses/{ada_row['response_id']}/"
                          "staff-assessment", json=GOOD, headers=h["ta"])
    assert r.status_code == 201
    result = (await client.get(f"{PR}/result", headers=h["ada"])).json()
    assert result == {**result, "status": "graded", "points": 5.0}
    assert [c["points"] for c in result["per_criterion"]] == [3, 2]
    grade = (await client.get(f"/api/v1/courses/{COURSE_ID}/grades",
                              headers=h["ada"])).json()[0]
    row = next(b for b in grade["blocks"] if b["block_id"] == BLOCK)
    assert row["points"] == 5.0


async def test_staff_only_endpoints_and_result_needs_a_response(api):
    client, h, _ = api
    assert (await client.get(f"{PR}/board", headers=h["ada"])).status_code == 403
    assert (await client.get(f"{PR}/result", headers=h["ada"])).status_code == 404
    r = await client.post("/api/v1/peer-review/responses/999/cancel", json={"reason": "x"},
                          headers=h["ta"])
    assert r.status_code == 404
    r = await client.put(f"{PR}/allocation", json={"reviews_per_response": 0},
                         headers=h["ta"])
    assert r.status_code == 400


async def test_openapi_describes_peer_review(api):
    client, _, _ = api
    doc = (await client.get("/api/v1/openapi.json")).json()
    for path in ("/api/v1/peer-review/{course_id}/{block_id}/next",
                 "/api/v1/peer-review/assignments/{assignment_id}/assessment",
                 "/api/v1/peer-review/{course_id}/{block_id}/result"):
        assert path in doc["paths"]
    assert "204" in doc["paths"]["/api/v1/peer-review/{course_id}/{block_id}/next"]["get"][
        "responses"]
