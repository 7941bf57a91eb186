"""Password reset through the mailed link (API.md "Accounts and personal data"): the same
answer for unknown emails, single-use expiring hashed tokens, and a reset ends the account's
other sessions and tokens. Email verification and the welcome mail use the same links."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import httpx

from accounts.recovery import send_set_password_mail
from core.clock import now
from models.account_links import AccountLink
from models.mail import OutgoingMail
from models.users import User
from tests.support.mailbox import deliver, link_in, mails_to, outbox, token_of
from tests.support.people import PASSWORD, bearer, browser_login, person, token

NEW_PASSWORD = "a much better passphrase"


async def _reset_link(client, settings, address: str) -> str:
    r = await client.post("/api/v1/auth/password-reset", json={"email": address})
    assert r.status_code == 202, r.text
    await deliver(settings)
    return link_in(mails_to(settings.data_dir, address)[-1])


async def test_unknown_and_known_emails_get_the_same_answer_and_only_owners_get_mail(
        client, settings):
    await person("ada@example.org")
    known = await client.post("/api/v1/auth/password-reset", json={"email": "Ada@Example.org"})
    unknown = await client.post("/api/v1/auth/password-reset",
                                json={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    await deliver(settings)
    assert [m["To"] for m in outbox(settings.data_dir)] == ["ada@example.org"]
    assert "Reset" in outbox(settings.data_dir)[0]["Subject"]


async def test_a_reset_link_sets_the_password_once_and_ends_every_other_session(
        app, client, settings):
    await person("ada@example.org")
    old_token = await token(client, "ada@example.org")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await browser_login(other, "ada@example.org")
        assert (await other.get("/api/v1/me")).status_code == 200
        link = await _reset_link(client, settings, "ada@example.org")
        assert link.startswith(settings.public_url + "/password-reset/confirm?token=")
        r = await client.post("/api/v1/auth/password-reset/confirm",
                              json={"token": token_of(link), "password": NEW_PASSWORD})
        assert r.status_code == 200, r.text
        assert r.json()["email"] == "ada@example.org"
        assert (await other.get("/api/v1/me")).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(old_token))).status_code == 401
    again = await client.post("/api/v1/auth/password-reset/confirm",
                              json={"token": token_of(link), "password": "yet another one"})
    assert again.status_code == 400 and "expired or was already used" in again.text
    old = await client.post("/api/v1/auth/token",
                            json={"email": "ada@example.org", "password": PASSWORD})
    assert old.status_code == 401
    new = await client.post("/api/v1/auth/token",
                            json={"email": "ada@example.org", "password": NEW_PASSWORD})
    assert new.status_code == 200
    assert (await User.get(email="ada@example.org")).email_verified


async def test_links_are_stored_hashed_and_expire(client, settings):
    await person("ada@example.org")
    link = await _reset_link(client, settings, "ada@example.org")
    raw = token_of(link)
    [stored] = await AccountLink.all()
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(await AccountLink.all().values())
    assert raw not in str(await OutgoingMail.all().values())  # a sent mail keeps no body
    await AccountLink.all().update(expires_at=now() - timedelta(seconds=1))
    r = await client.post("/api/v1/auth/password-reset/confirm",
                          json={"token": raw, "password": NEW_PASSWORD})
    assert r.status_code == 400
    page = await client.get(f"/password-reset/confirm?token={raw}")
    assert page.status_code == 400 and "Ask for a new link" in page.text


async def test_a_newer_link_replaces_the_older_one(client, settings):
    await person("ada@example.org")
    first = token_of(await _reset_link(client, settings, "ada@example.org"))
    second = token_of(await _reset_link(client, settings, "ada@example.org"))
    r = await client.post("/api/v1/auth/password-reset/confirm",
                          json={"token": first, "password": NEW_PASSWORD})
    assert r.status_code == 400
    r = await client.post("/api/v1/auth/password-reset/confirm",
                          json={"token": second, "password": NEW_PASSWORD})
    assert r.status_code == 200


async def test_bad_input_is_a_clear_400_and_keeps_the_link_usable(client, settings):
    await person("ada@example.org")
    r = await client.post("/api/v1/auth/password-reset", json={"email": "not an email"})
    assert r.status_code == 400 and "valid email" in r.text
    r = await client.post("/api/v1/auth/password-reset", json=["ada@example.org"])
    assert r.status_code == 400
    raw = token_of(await _reset_link(client, settings, "ada@example.org"))
    for body in ({"token": raw, "password": "short"}, {"token": raw},
                 {"token": 12, "password": NEW_PASSWORD}, {"token": "x" * 5000}):
        r = await client.post("/api/v1/auth/password-reset/confirm", json=body)
        assert r.status_code in (400, 413), (body, r.text)
    r = await client.post("/api/v1/auth/password-reset/confirm",
                          json={"token": raw, "password": NEW_PASSWORD})
    assert r.status_code == 200


async def test_reset_requests_for_one_account_are_capped_and_still_answer_202(client, settings):
    await person("ada@example.org")
    for _ in range(6):
        r = await client.post("/api/v1/auth/password-reset", json={"email": "ada@example.org"})
        assert r.status_code == 202
    await deliver(settings)
    assert len(mails_to(settings.data_dir, "ada@example.org")) == 3


async def test_a_new_account_is_mailed_a_link_that_verifies_its_address(client, settings):
    r = await client.post("/api/v1/auth/register", json={
        "email": "grace@example.org", "password": PASSWORD, "name": "Grace"})
    assert r.status_code == 201
    assert not (await User.get(email="grace@example.org")).email_verified
    await deliver(settings)
    [mail] = mails_to(settings.data_dir, "grace@example.org")
    link = link_in(mail)
    assert "/verify-email?token=" in link
    page = await client.get(link.removeprefix(settings.public_url))
    assert page.status_code == 200 and "verified" in page.text
    assert (await User.get(email="grace@example.org")).email_verified
    again = await client.get(link.removeprefix(settings.public_url))
    assert again.status_code == 400


async def test_the_welcome_mail_lets_a_new_member_choose_a_password(app, client, settings):
    user = await person("linus@example.org")
    await send_set_password_mail(user)
    await deliver(settings)
    [mail] = mails_to(settings.data_dir, "linus@example.org")
    assert "account" in mail["Subject"].lower()
    raw = token_of(link_in(mail))
    page = await client.get(f"/password-reset/confirm?token={raw}")
    assert page.status_code == 200 and "Choose a new password" in page.text
    r = await client.post("/api/v1/auth/password-reset/confirm",
                          json={"token": raw, "password": NEW_PASSWORD})
    assert r.status_code == 200


async def test_the_pages_keep_what_was_typed_when_they_refuse_it(client, settings):
    await person("ada@example.org")
    await browser_login(client, "ada@example.org")
    page = await client.get("/password-reset")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post("/password-reset", data={"csrf_token": csrf, "email": "ada@nowhere"})
    assert r.status_code == 400 and 'value="ada@nowhere"' in r.text
    raw = token_of(await _reset_link(client, settings, "ada@example.org"))
    r = await client.post("/password-reset/confirm", data={
        "csrf_token": csrf, "token": raw, "password": NEW_PASSWORD, "confirm": "different"})
    assert r.status_code == 400 and "differ" in r.text
    assert f'value="{NEW_PASSWORD}"' in r.text and f'value="{raw}"' in r.text
    r = await client.post("/password-reset/confirm", data={
        "csrf_token": csrf, "token": raw, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/login?reset=done"
    login = await client.get("/login?reset=done")
    assert "Your password was changed" in login.text and "Forgot password?" in login.text


async def test_mail_is_queued_durably_before_it_is_sent(client, settings):
    await person("ada@example.org")
    await client.post("/api/v1/auth/password-reset", json={"email": "ada@example.org"})
    assert await OutgoingMail.filter(to_address="ada@example.org").count() == 1
