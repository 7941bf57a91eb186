"""Sign-in with an OpenID Connect provider, against a provider simulated on 127.0.0.1:
new accounts, linking by verified address (and refusing it when unverified), the explicit
link with a password and from the profile, unlinking, and every refusal."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx

from models.oidc import OidcIdentity, OidcLogin
from models.users import User
from tests.oidc.conftest import back_from, csrf_of, sign_in, to_provider, whoami
from tests.oidc.provider import SimulatedProvider
from tests.support.people import PASSWORD, browser_login, person


async def test_login_page_offers_the_provider(client: httpx.AsyncClient,
                                              registered: SimulatedProvider) -> None:
    r = await client.get("/login")
    assert 'id="sign-in-uni"' in r.text and "Sign in with Uni" in r.text


async def test_first_sign_in_makes_a_verified_account(client: httpx.AsyncClient,
                                                      registered: SimulatedProvider) -> None:
    r = await sign_in(client, registered)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert await whoami(client) == "ada@uni.example"
    user = await User.get(email="ada@uni.example")
    assert user.email_verified and user.name == "Ada U"
    assert await OidcIdentity.filter(user_id=user.id, subject="u-1").exists()
    # The same sub signs in to the same account next time, even with a new address.
    registered.user = {**registered.user, "email": "ada.new@uni.example"}
    await client.post("/logout", headers={"x-csrf-token": csrf_of((await client.get(
        "/profile")).text)})
    assert await whoami(client) is None
    await sign_in(client, registered)
    assert await whoami(client) == "ada@uni.example"
    assert await User.filter(name="Ada U").count() == 1


async def test_the_request_uses_pkce_state_and_nonce(client: httpx.AsyncClient,
                                                     registered: SimulatedProvider) -> None:
    location = await to_provider(client)
    q = parse_qs(urlsplit(location).query)
    assert q["code_challenge_method"] == ["S256"] and q["code_challenge"][0]
    assert q["state"][0] and q["nonce"][0] and q["response_type"] == ["code"]
    assert q["redirect_uri"] == ["http://testserver/sign-in/uni/callback"]  # the public URL's
    await back_from(client, registered.authorize(location))
    verifier = registered.token_requests[-1]["code_verifier"]
    assert len(verifier) >= 43


async def test_next_page_after_sign_in(client: httpx.AsyncClient,
                                       registered: SimulatedProvider) -> None:
    location = await to_provider(client, next_url="/courses")
    r = await back_from(client, registered.authorize(location))
    assert r.headers["location"] == "/courses"


async def test_links_by_address_verified_on_both_sides(client: httpx.AsyncClient,
                                                       registered: SimulatedProvider) -> None:
    existing = await person("ada@uni.example")
    await User.filter(id=existing.id).update(email_verified=True)
    r = await sign_in(client, registered)
    assert r.status_code == 303
    assert await whoami(client) == "ada@uni.example"
    assert await OidcIdentity.filter(user_id=existing.id, subject="u-1").exists()
    assert await User.filter(email="ada@uni.example").count() == 1


async def test_no_silent_link_when_coursewire_has_not_verified_the_address(
        client: httpx.AsyncClient, registered: SimulatedProvider) -> None:
    existing = await person("ada@uni.example")  # never opened the verification mail
    r = await sign_in(client, registered)
    assert r.headers["location"] == "/sign-in-link"
    assert await whoami(client) is None
    assert not await OidcIdentity.exists()
    page = await client.get("/sign-in-link")
    assert "Link your Uni account" in page.text
    csrf = csrf_of(page.text)
    wrong = await client.post("/sign-in-link", data={
        "csrf_token": csrf, "email": "ada@uni.example", "password": "wrong password"})
    assert wrong.status_code == 401 and "incorrect" in wrong.text
    assert 'value="ada@uni.example"' in wrong.text  # what was typed stays
    r = await client.post("/sign-in-link", data={
        "csrf_token": csrf, "email": "ada@uni.example", "password": PASSWORD})
    assert r.status_code == 303
    assert await whoami(client) == "ada@uni.example"
    assert await OidcIdentity.filter(user_id=existing.id, subject="u-1").exists()


async def test_no_silent_link_when_the_provider_has_not_verified_it(
        client: httpx.AsyncClient, registered: SimulatedProvider) -> None:
    existing = await person("ada@uni.example")
    await User.filter(id=existing.id).update(email_verified=True)
    registered.user = {**registered.user, "email_verified": False}
    r = await sign_in(client, registered)
    assert r.headers["location"] == "/sign-in-link"
    assert not await OidcIdentity.exists()


async def test_the_pending_link_needs_a_provider_sign_in(client: httpx.AsyncClient,
                                                         registered: SimulatedProvider) -> None:
    r = await client.get("/sign-in-link")
    assert r.status_code == 400 and "no sign-in waiting" in r.text


async def test_link_and_unlink_from_the_profile(client: httpx.AsyncClient,
                                                registered: SimulatedProvider) -> None:
    me = await person("bob@example.org")
    csrf = await browser_login(client, "bob@example.org")
    profile = await client.get("/profile")
    assert "Link your Uni account" in profile.text
    r = await client.post("/profile/sign-in-links", data={"csrf_token": csrf,
                                                          "provider": "uni"})
    assert r.status_code == 302
    r = await back_from(client, registered.authorize(r.headers["location"]))
    assert r.headers["location"] == "/profile?linked=uni"
    link = await OidcIdentity.get(user_id=me.id)
    assert link.subject == "u-1"
    assert await whoami(client) == "bob@example.org"  # still the same person
    r = await client.post(f"/profile/sign-in-links/{link.id}/remove",
                          data={"csrf_token": csrf})
    assert r.status_code == 303
    assert not await OidcIdentity.exists()


async def test_an_account_without_password_keeps_its_only_link(
        client: httpx.AsyncClient, registered: SimulatedProvider) -> None:
    await sign_in(client, registered)
    profile = await client.get("/profile")
    assert "cannot be unlinked" in profile.text
    link = await OidcIdentity.get(subject="u-1")
    r = await client.post(f"/profile/sign-in-links/{link.id}/remove",
                          data={"csrf_token": csrf_of(profile.text)})
    assert r.status_code == 422 and "only way to sign in" in r.text
    assert await OidcIdentity.exists()


async def test_a_provider_account_links_to_one_coursewire_account(
        client: httpx.AsyncClient, registered: SimulatedProvider) -> None:
    await sign_in(client, registered)  # u-1 made ada's account
    await person("bob@example.org")
    async with httpx.AsyncClient(transport=client._transport,
                                 base_url="http://testserver") as other:
        csrf = await browser_login(other, "bob@example.org")
        r = await other.post("/profile/sign-in-links", data={"csrf_token": csrf,
                                                             "provider": "uni"})
        r = await back_from(other, registered.authorize(r.headers["location"]))
        assert r.status_code == 409 and "already linked to another" in r.text


async def test_domain_restriction(client: httpx.AsyncClient, admin_token: str,
                                  idp: SimulatedProvider) -> None:
    r = await client.post("/api/v1/admin/sign-in-providers",
                          json=idp.registration(email_domains=["aalto.fi"]),
                          headers={"Authorization": f"Bearer {admin_token}"})
    assert r.status_code == 201
    r = await sign_in(client, idp)
    assert r.status_code == 403 and "not in a domain allowed" in r.text
    assert not await User.filter(email="ada@uni.example").exists()


# -- refusals: a clear page, nobody signed in -----------------------------------------------

async def _refused(client: httpx.AsyncClient, r: httpx.Response, status: int,
                   words: str) -> None:
    assert r.status_code == status, r.text
    assert words in r.text
    assert await whoami(client) is None


async def test_cancelled_at_the_provider(client: httpx.AsyncClient,
                                         registered: SimulatedProvider) -> None:
    registered.deny = True
    await _refused(client, await sign_in(client, registered), 403, "You cancelled")
    assert not await OidcLogin.exists()


async def test_bad_state(client: httpx.AsyncClient, registered: SimulatedProvider) -> None:
    location = registered.authorize(await to_provider(client))
    url = urlsplit(location)
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    r = await client.get(url.path, params={**q, "state": "forged"})
    await _refused(client, r, 400, "Please start again")


async def test_state_from_another_browser(client: httpx.AsyncClient,
                                          registered: SimulatedProvider) -> None:
    location = registered.authorize(await to_provider(client))
    async with httpx.AsyncClient(transport=client._transport,
                                 base_url="http://testserver") as attacker:
        r = await back_from(attacker, location)
        assert r.status_code == 400 and "another browser" in r.text


async def test_answer_used_twice(client: httpx.AsyncClient,
                                 registered: SimulatedProvider) -> None:
    """The same answer again, even with the session cookie from before it was used (a
    copied cookie): the state is single-use."""
    back = registered.authorize(await to_provider(client))
    cookies_before = dict(client.cookies)
    first = await back_from(client, back)
    assert first.status_code == 303
    client.cookies.clear()
    client.cookies.update(cookies_before)
    await _refused(client, await back_from(client, back), 400, "already used")


async def test_bad_signature(client: httpx.AsyncClient, registered: SimulatedProvider) -> None:
    registered.other_key = True
    await _refused(client, await sign_in(client, registered), 401, "bad signature")


async def test_wrong_audience(client: httpx.AsyncClient,
                              registered: SimulatedProvider) -> None:
    registered.spoil = {"aud": "someone-else"}
    await _refused(client, await sign_in(client, registered), 400, "another application")


async def test_wrong_issuer(client: httpx.AsyncClient, registered: SimulatedProvider) -> None:
    registered.spoil = {"iss": "https://evil.example"}
    await _refused(client, await sign_in(client, registered), 400, "another issuer")


async def test_expired(client: httpx.AsyncClient, registered: SimulatedProvider) -> None:
    past = int(time.time()) - 3600
    registered.spoil = {"iat": past - 300, "exp": past}
    await _refused(client, await sign_in(client, registered), 400, "expired")


async def test_replayed_id_token(client: httpx.AsyncClient,
                                 registered: SimulatedProvider) -> None:
    """An id_token from an earlier sign-in, sent again: its nonce is not this sign-in's."""
    await sign_in(client, registered)
    old = registered.issued[-1]
    await client.post("/logout", headers={"x-csrf-token": csrf_of((await client.get(
        "/profile")).text)})
    registered.replay = old
    await _refused(client, await sign_in(client, registered), 400, "replay")


async def test_missing_code(client: httpx.AsyncClient, registered: SimulatedProvider) -> None:
    location = registered.authorize(await to_provider(client))
    state = parse_qs(urlsplit(location).query)["state"][0]
    r = await client.get("/sign-in/uni/callback", params={"state": state})
    await _refused(client, r, 400, "no authorization code")


async def test_unknown_provider(client: httpx.AsyncClient,
                                registered: SimulatedProvider) -> None:
    r = await client.get("/sign-in/nope")
    assert r.status_code == 404


async def test_provider_down_before_the_sign_in(client: httpx.AsyncClient,
                                                registered: SimulatedProvider) -> None:
    registered.stop()
    r = await client.get("/sign-in/uni")
    assert r.status_code == 502 and "could not be reached" in r.text


async def test_provider_down_at_the_token_exchange(client: httpx.AsyncClient,
                                                   registered: SimulatedProvider) -> None:
    location = registered.authorize(await to_provider(client))
    registered.stop()
    await _refused(client, await back_from(client, location), 502, "could not be reached")


async def test_several_audiences_need_us_as_the_authorized_party(
        client: httpx.AsyncClient, registered: SimulatedProvider) -> None:
    registered.spoil = {"aud": [registered.client_id, "other-app"], "azp": "other-app"}
    await _refused(client, await sign_in(client, registered), 400, "another application")
    registered.spoil = {"aud": [registered.client_id, "other-app"],
                        "azp": registered.client_id}
    assert (await sign_in(client, registered)).status_code == 303


async def test_a_token_without_its_nonce(client: httpx.AsyncClient,
                                         registered: SimulatedProvider) -> None:
    registered.spoil = {"nonce": None}  # the provider ignored ours
    await _refused(client, await sign_in(client, registered), 400, "nonce")
