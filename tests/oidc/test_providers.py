"""Site admins' sign-in providers (API and page): validation, the write-only secret, who
may manage them; and the provider accounts in a person's export and erasure."""

from __future__ import annotations

import httpx

from models.oidc import OidcIdentity, OidcProvider
from models.users import User
from tests.oidc.conftest import sign_in
from tests.oidc.provider import SimulatedProvider
from tests.support.people import bearer, browser_login, person, token


async def test_the_secret_is_never_shown_back(client: httpx.AsyncClient, admin_token: str,
                                              registered: SimulatedProvider) -> None:
    listed = await client.get("/api/v1/admin/sign-in-providers", headers=bearer(admin_token))
    assert listed.status_code == 200
    assert listed.json()[0]["slug"] == "uni" and "client_secret" not in listed.json()[0]
    assert registered.client_secret not in listed.text
    await browser_login(client, "admin@example.org")
    page = await client.get("/admin/sign-in-providers")
    assert page.status_code == 200 and registered.client_secret not in page.text
    assert "/sign-in/uni/callback" in page.text  # the redirect URI to register


async def test_bad_fields_are_named(client: httpx.AsyncClient, admin_token: str) -> None:
    r = await client.post("/api/v1/admin/sign-in-providers", headers=bearer(admin_token),
                          json={"slug": "Bad Slug", "display_name": "", "issuer": "ftp://x",
                                "client_id": "c", "client_secret": "s",
                                "email_domains": ["not a domain"]})
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"slug", "display_name", "issuer",
                                                "email_domains"}


async def test_slug_taken(client: httpx.AsyncClient, admin_token: str,
                          registered: SimulatedProvider) -> None:
    r = await client.post("/api/v1/admin/sign-in-providers", headers=bearer(admin_token),
                          json=registered.registration())
    assert r.status_code == 409


async def test_openid_scope_is_always_asked(client: httpx.AsyncClient, admin_token: str,
                                            idp: SimulatedProvider) -> None:
    r = await client.post("/api/v1/admin/sign-in-providers", headers=bearer(admin_token),
                          json=idp.registration(scopes="email profile",
                                                email_domains="Uni.Example other.example"))
    assert r.json()["scopes"] == "openid email profile"
    assert r.json()["email_domains"] == ["uni.example", "other.example"]


async def test_only_admins_manage_providers(client: httpx.AsyncClient,
                                            registered: SimulatedProvider) -> None:
    await person("bob@example.org")
    tok = await token(client, "bob@example.org")
    assert (await client.get("/api/v1/admin/sign-in-providers",
                             headers=bearer(tok))).status_code == 403
    assert (await client.post("/api/v1/admin/sign-in-providers", headers=bearer(tok),
                              json=registered.registration(slug="x"))).status_code == 403
    provider = await OidcProvider.get(slug="uni")
    assert (await client.delete(f"/api/v1/admin/sign-in-providers/{provider.id}",
                                headers=bearer(tok))).status_code == 403


async def test_the_page_keeps_what_was_typed_but_the_secret(
        client: httpx.AsyncClient, admin_token: str) -> None:
    csrf = await browser_login(client, "admin@example.org")
    r = await client.post("/admin/sign-in-providers", data={
        "csrf_token": csrf, "slug": "aalto", "display_name": "Aalto", "issuer": "nonsense",
        "client_id": "cw", "client_secret": "s3cret-value"})
    assert r.status_code == 400 and 'value="Aalto"' in r.text
    assert "s3cret-value" not in r.text


async def test_removing_a_provider_removes_its_links(client: httpx.AsyncClient,
                                                     admin_token: str,
                                                     registered: SimulatedProvider) -> None:
    await sign_in(client, registered)
    provider = await OidcProvider.get(slug="uni")
    r = await client.delete(f"/api/v1/admin/sign-in-providers/{provider.id}",
                            headers=bearer(admin_token))
    assert r.status_code == 204
    assert not await OidcIdentity.exists()
    assert (await client.get("/login")).text.count("sign-in-uni") == 0


async def test_export_and_erasure(client: httpx.AsyncClient,
                                  registered: SimulatedProvider) -> None:
    await sign_in(client, registered)
    export = await client.get("/api/v1/me/export")
    assert export.status_code == 200
    links = export.json()["sign_in_providers"]
    assert links[0]["subject"] == "u-1" and links[0]["provider__display_name"] == "Uni"
    user = await User.get(email="ada@uni.example")
    # An account made by a provider has no password to confirm with: the admin erases it.
    await person("root@example.org", admin=True)
    async with httpx.AsyncClient(transport=client._transport,
                                 base_url="http://testserver") as admin:
        tok = await token(admin, "root@example.org")
        r = await admin.delete(f"/api/v1/users/{user.id}", headers=bearer(tok))
        assert r.status_code == 202, r.text
    assert not await OidcIdentity.exists()
    # The same provider account signs in afresh, never into the tombstone.
    await sign_in(client, registered)
    fresh = await User.get(email="ada@uni.example")
    assert fresh.id != user.id
