"""The peer review endpoints of the API contract, through the ASGI app."""

from __future__ import annotations

import pytest

from accounts.tokens import issue_token
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


async def test_allocation_reads_exclude_same_group_strictly(api):
    client, h, _ = api
    url = f"{PR}/allocation"
    base = {"reviews_per_response": 2, "run_at": "2030-01-01T00:00:00Z"}
    r = await client.put(url, json={**base, "exclude_same_group": False}, headers=h["ta"])
    assert r.status_code == 200 and r.json()["exclude_same_group"] is False
    r = await client.put(url, json=base, headers=h["ta"])
    assert r.status_code == 200 and r.json()["exclude_same_group"] is True  # the default
    for garbage in ("false", "no", 0, 1, None, []):
        r = await client.put(url, json={**base, "exclude_same_group": garbage},
                             headers=h["ta"])
        assert r.status_code == 400, garbage
        assert "exclude_same_group" in r.json()["error"]["fields"]


async def test_group_api_sets_changes_and_clears_a_students_group(api):
    from models.peer_review import ReviewGroup

    client, h, who = api
    ada = who["ada"].id
    url = f"/api/v1/peer-review/{COURSE_ID}/groups/{ada}"
    r = await client.put(url, json={"group": "  Team red "}, headers=h["ta"])
    assert r.status_code == 200 and r.json() == {"user_id": ada, "group": "Team red"}
    assert (await ReviewGroup.get(user_id=ada)).name == "Team red"
    r = await client.put(url, json={"group": "Team blue"}, headers=h["ta"])
    assert (await ReviewGroup.get(user_id=ada)).name == "Team blue"
    r = await client.put(url, json={"group": 7}, headers=h["ta"])
    assert r.status_code == 400 and "group" in r.json()["error"]["fields"]
    assert (await ReviewGroup.get(user_id=ada)).name == "Team blue"  # unchanged
    r = await client.put(url, json={"group": ""}, headers=h["ta"])
    assert r.status_code == 200 and r.json()["group"] is None
    assert not await ReviewGroup.exists(user_id=ada)
    # Students may not; unknown users and ids are 404.
    assert (await client.put(url, json={"group": "x"}, headers=h["bob"])).status_code == 403
    r = await client.put(f"/api/v1/peer-review/{COURSE_ID}/groups/99999",
                         json={"group": "x"}, headers=h["ta"])
    assert r.status_code == 404
    r = await client.put(f"/api/v1/peer-review/{COURSE_ID}/groups/abc", json={"group": "x"},
                         headers=h["ta"])
    assert r.status_code == 404


async def test_self_assessment_api_and_its_status(api):
    from tests.peer_review.conftest import SELFIE

    client, h, _ = api
    pr = f"/api/v1/peer-review/{COURSE_ID}/{SELFIE}"
    url = f"{pr}/self-assessment"
    assert (await client.post(url, json=GOOD, headers=h["ada"])).status_code == 422
    for who, text in (("ada", "Ada's"), ("bob", "Bob's")):
        r = await client.post(f"/api/v1/courses/{COURSE_ID}/blocks/{SELFIE}/submissions",
                              json={"answer": {"text": text}}, headers=h[who])
        assert r.status_code == 202
    for who in ("ada", "bob"):
        lease = (await client.get(f"{pr}/next", headers=h[who])).json()
        r = await client.post(f"/api/v1/peer-review/assignments/{lease['id']}/assessment",
                              json=GOOD, headers=h[who])
        assert r.status_code == 201
    result = (await client.get(f"{pr}/result", headers=h["ada"])).json()
    assert result["status"] == "waiting_for_self_assessment" and result["points"] is None
    r = await client.post(url, json={"scores": {"ideas": "many"}}, headers=h["ada"])
    assert r.status_code == 400  # checked against the rubric
    r = await client.post(url, json={"scores": {"ideas": "some", "style": "poor"},
                                     "criterion_feedback": {"ideas": "Could be better"}},
                          headers=h["ada"])
    assert r.status_code == 201 and r.json()["points"] == 1
    assert (await client.post(url, json=GOOD, headers=h["ada"])).status_code == 409
    result = (await client.get(f"{pr}/result", headers=h["ada"])).json()
    # Released by the peer's assessment; the self-assessment is not part of the score.
    assert result["status"] == "graded" and result["points"] == 5
    # The rubric-less block has no self-assessment step.
    r = await client.post(f"{PR}/self-assessment", json=GOOD, headers=h["ada"])
    assert r.status_code == 422


async def test_file_upload_through_the_page_reaches_the_reviewer_under_a_generic_name(api):
    from tests.peer_review.conftest import FILES

    client, h, _ = api
    pr = f"/api/v1/peer-review/{COURSE_ID}/{FILES}"
    page = f"/courses/{COURSE_ID}/peer-review/{FILES}"
    r = await client.post(f"/api/v1/courses/{COURSE_ID}/blocks/{FILES}/submissions",
                          json={"answer": {"text": "Bob's"}}, headers=h["bob"])
    assert r.status_code == 202
    assert (await client.get(f"{pr}/next", headers=h["bob"])).status_code == 204  # waits
    r = await client.post(f"{page}/response", data={"text": "See attached"},
                          files={"file": ("Ada_Lovelace_notes.txt", b"Notes on the engine",
                                          "text/plain")},
                          headers=h["ada"])
    assert r.status_code == 200, r.text
    assert "Ada_Lovelace_notes.txt" in r.text  # the author sees her own file's name
    lease = await client.get(f"{pr}/next", headers=h["bob"])  # pushed to Bob meanwhile
    assert lease.status_code == 200
    body = lease.json()
    assert body["submission"]["answer"]["file"]["name"] == "response.txt"
    assert "Lovelace" not in lease.text
    got = await client.get(body["submission"]["answer"]["file"]["url"], headers=h["bob"])
    assert got.status_code == 200 and got.content == b"Notes on the engine"
    assert 'filename="response.txt"' in got.headers["content-disposition"]
    # Opening it over the API gives the full lease (idempotent).
    r = await client.post(f"/api/v1/peer-review/assignments/{body['id']}/open",
                          headers=h["bob"])
    assert r.status_code == 200 and r.json()["id"] == body["id"]
    # Others cannot fetch it.
    got = await client.get(body["submission"]["answer"]["file"]["url"], headers=h["ada"])
    assert got.status_code == 404
