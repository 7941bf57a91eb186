"""Logging out ends the session on the server: a copy of the signed cookie (or a bearer
token) taken before stops working at once, instead of staying valid for 14 days."""

from __future__ import annotations

import re

import httpx
import pytest

from accounts.session import end_sessions
from models.users import User
from tests.support.outbox_down import OutboxDown, event_names_since, last_seq, outbox_down
from tests.support.people import bearer, browser_login, person, token


async def test_a_copied_cookie_stops_working_after_logout(app, client):
    await person("ada@example.org")
    csrf = await browser_login(client, "ada@example.org")
    assert (await client.get("/api/v1/me")).status_code == 200
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                 cookies=dict(client.cookies)) as thief:
        assert (await thief.get("/api/v1/me")).status_code == 200
        r = await client.post("/logout", data={"csrf_token": csrf})
        assert r.status_code == 303
        assert (await thief.get("/api/v1/me")).status_code == 401
        page = await thief.get("/", follow_redirects=False)
        assert not re.search(r"ada@example.org|Log out", page.text)


async def test_logging_in_again_after_logout_works(client):
    await person("ada@example.org")
    csrf = await browser_login(client, "ada@example.org")
    await client.post("/logout", data={"csrf_token": csrf})
    await browser_login(client, "ada@example.org")
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_api_logout_ends_the_token_and_the_session(client):
    await person("bob@example.org")
    tok = await token(client, "bob@example.org")
    assert (await client.get("/api/v1/me", headers=bearer(tok))).status_code == 200
    r = await client.post("/api/v1/auth/logout", headers=bearer(tok))
    assert r.status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(tok))).status_code == 401


async def test_sessions_end_only_with_the_message_that_closes_their_sockets(db):
    """The generation bump and the `session_ended` control message commit together: a
    logout that could not tell the sockets does not half-happen (issue 12, the outbox)."""
    ada = await person("ada@example.org")
    before = ada.session_generation
    with outbox_down(), pytest.raises(OutboxDown):
        await end_sessions(ada)
    assert (await User.get(id=ada.id)).session_generation == before
    assert ada.session_generation == before
    seq = await last_seq()
    await end_sessions(ada)
    assert (await User.get(id=ada.id)).session_generation == ada.session_generation == before + 1
    assert await event_names_since(seq) == ["session_ended"]
