"""Platform registrations (site admins, API and page), the tool's key set and its rotation,
and the platforms' key sets fetched, cached and refetched on rotation."""

from __future__ import annotations

import re

import jwt
import pytest

from lti import keys
from tests.lti.conftest import launch, unit_url
from tests.lti.platform import Platform
from tests.support.people import bearer, browser_login, person, token

API = "/api/v1/lti/registrations"


async def test_admins_register_list_and_delete_platforms(client, admin_token):
    platform = Platform()
    r = await client.post(API, json=platform.registration(), headers=bearer(admin_token))
    assert r.status_code == 201
    created = r.json()
    listed = (await client.get(API, headers=bearer(admin_token))).json()
    assert [x["id"] for x in listed] == [created["id"]]
    assert listed[0]["deployment_ids"] == ["deployment-1"]
    again = await client.post(API, json=platform.registration(), headers=bearer(admin_token))
    assert again.status_code == 409
    gone = await client.delete(f"{API}/{created['id']}", headers=bearer(admin_token))
    assert gone.status_code == 204
    assert (await client.delete(f"{API}/{created['id']}",
                                headers=bearer(admin_token))).status_code == 404
    assert (await client.get(API, headers=bearer(admin_token))).json() == []


@pytest.mark.parametrize("overrides, fields", [
    ({"issuer": ""}, {"issuer"}),
    ({"issuer": "not a url"}, {"issuer"}),
    ({"client_id": 7}, {"client_id"}),
    ({"deployment_ids": []}, {"deployment_ids"}),
    ({"deployment_ids": ["ok", 3]}, {"deployment_ids"}),
    ({"key_set_url": "ftp://lms/certs", "auth_login_url": "/relative"},
     {"key_set_url", "auth_login_url"}),
    ({"auth_token_url": "https://x/" + "a" * 2001}, {"auth_token_url"}),
])
async def test_a_bad_registration_names_its_fields(client, admin_token, overrides, fields):
    r = await client.post(API, json=Platform().registration(**overrides),
                          headers=bearer(admin_token))
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == fields
    assert (await client.get(API, headers=bearer(admin_token))).json() == []


async def test_only_site_admins_manage_platforms(client, app):
    await person("teacher@example.org", creator=True)
    teacher = await token(client, "teacher@example.org")
    r = await client.post(API, json=Platform().registration(), headers=bearer(teacher))
    assert r.status_code == 403
    assert (await client.get(API, headers=bearer(teacher))).status_code == 403
    assert (await client.delete(f"{API}/1", headers=bearer(teacher))).status_code == 403


async def test_the_admin_page_registers_a_platform_and_keeps_a_bad_form(client, app):
    await person("admin@example.org", admin=True)
    csrf = await browser_login(client, "admin@example.org")
    form = {**Platform().registration(), "deployment_ids": "d-1, d-2", "csrf_token": csrf}
    bad = await client.post("/lti/registrations", data={**form, "key_set_url": "nope"})
    assert bad.status_code == 400
    assert 'value="d-1, d-2"' in bad.text and "Enter an http(s) URL." in bad.text
    ok = await client.post("/lti/registrations", data=form)
    assert ok.status_code == 200 and "Platform registered." in ok.text
    assert "d-1, d-2" in ok.text and "/lti/jwks" in ok.text


async def test_the_tool_key_set_keeps_the_previous_key_through_a_rotation(client, app):
    await person("admin@example.org", admin=True)
    csrf = await browser_login(client, "admin@example.org")
    before = (await client.get("/lti/jwks")).json()["keys"]
    assert len(before) == 1 and before[0]["kty"] == "RSA" and "d" not in before[0]
    r = await client.post("/lti/keys/rotate", data={"csrf_token": csrf})
    assert r.status_code == 303
    after = (await client.get("/lti/jwks")).json()["keys"]
    assert [k["kid"] for k in after][1:] == [before[0]["kid"]]
    signer = await keys.signing_key()
    assert signer.kid == after[0]["kid"]
    message = jwt.encode({"hello": "platform"}, signer.private_pem, algorithm="RS256",
                         headers={"kid": signer.kid})
    public = jwt.PyJWK(after[0])
    assert jwt.decode(message, public, algorithms=["RS256"]) == {"hello": "platform"}


async def test_only_site_admins_rotate_the_tool_key(client, app):
    await person("teacher@example.org", creator=True)
    csrf = await browser_login(client, "teacher@example.org")
    kid = (await client.get("/lti/jwks")).json()["keys"][0]["kid"]
    r = await client.post("/lti/keys/rotate", data={"csrf_token": csrf})
    assert r.status_code == 403
    assert [k["kid"] for k in (await client.get("/lti/jwks")).json()["keys"]] == [kid]


async def test_the_platform_key_set_is_cached_and_refetched_when_the_platform_rotates(
        client, platform, course):
    assert (await launch(client, platform, unit_url(course), sub="a")).status_code == 303
    assert (await launch(client, platform, unit_url(course), sub="b")).status_code == 303
    assert platform.jwks_fetches == 1
    platform.rotate()
    assert (await launch(client, platform, unit_url(course), sub="c")).status_code == 303
    assert platform.jwks_fetches == 2


async def test_an_unknown_key_id_refetches_once_then_waits(client, platform, course):
    for _ in range(3):
        r = await launch(client, platform, unit_url(course), kid="forged-kid")
        assert r.status_code == 401
    assert platform.jwks_fetches == 1


async def test_an_unreachable_platform_key_set_is_a_clear_page(client, app, platform, course):
    platform.reachable = False
    r = await launch(client, platform, unit_url(course))
    assert r.status_code == 502 and "could not check this launch" in r.text
    assert re.search(r"certs\.php", r.text) and "ConnectError" in r.text
    assert r.headers["content-type"].startswith("text/html") and "Traceback" not in r.text
    assert (await client.get("/api/v1/me")).status_code == 401  # nobody signed in


async def test_a_key_set_answering_an_error_is_a_clear_page(client, platform, course):
    platform.key_set_status = 500
    r = await launch(client, platform, unit_url(course))
    assert r.status_code == 502 and "HTTPStatusError" in r.text, r.text
    assert "Launch again in a moment" in r.text and "Traceback" not in r.text
    platform.key_set_status = 200  # the platform is fixed: the next launch goes through
    assert (await launch(client, platform, unit_url(course))).status_code == 303

