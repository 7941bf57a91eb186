"""`GET .../peer-review/.../next` puts the caller in the waiting queue. With only the (Lax)
session cookie, a link on another site could do that: a cookie-authenticated call must
carry the CSRF token (header) or be the page's POST; bearer-token clients keep the API
contract's GET."""

from __future__ import annotations

import pytest

from accounts.tokens import issue_token
from models.peer_review import PeerReviewer
from tests.grading_app.conftest import COURSE_ID, setup_course
from tests.peer_review.conftest import BLOCK, EXTRA
from tests.support.people import browser_login

PR = f"/api/v1/peer-review/{COURSE_ID}/{BLOCK}"


@pytest.fixture
async def api(app, client, tmp_path):
    settings = app.runtime.settings
    people = {who.email.split("@")[0]: who
              for who in await setup_course(settings, tmp_path / "course", EXTRA)}
    return client, settings, people


async def _submit(client, headers):
    r = await client.post(f"/api/v1/courses/{COURSE_ID}/blocks/{BLOCK}/submissions",
                          json={"answer": {"text": "My essay"}}, headers=headers)
    assert r.status_code == 202, r.text


async def test_cookie_get_without_csrf_token_does_not_enqueue(api):
    client, _settings, who = api
    csrf = await browser_login(client, who["ada"].email)
    await _submit(client, {"X-CSRF-Token": csrf})
    r = await client.get(f"{PR}/next")  # what a cross-site link or <img> would send
    assert r.status_code == 403, r.text
    assert not await PeerReviewer.exists(reviewer_id=who["ada"].id,
                                         waiting_since__isnull=False)
    r = await client.get(f"{PR}/next", headers={"X-CSRF-Token": csrf})  # our own page's JS
    assert r.status_code == 204, r.text
    assert await PeerReviewer.exists(reviewer_id=who["ada"].id, waiting_since__isnull=False)


async def test_bearer_clients_keep_the_get(api):
    client, settings, who = api
    headers = {"Authorization": "Bearer " + issue_token(who["bob"].id, settings.secret_key, 60)}
    await _submit(client, headers)
    r = await client.get(f"{PR}/next", headers=headers)
    assert r.status_code == 204, r.text
