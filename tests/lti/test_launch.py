"""Launches from a simulated platform: a full launch per role, and every refusal a clear
4xx page that signs nobody in and enrols nobody."""

from __future__ import annotations

import httpx
import pytest

from models.courses import Membership
from models.lti import LtiAccount, LtiResourceLink
from models.users import User
from tests.lti.conftest import landing, launch, start_login, unit_url
from tests.lti.platform import CLAIM, new_key
from tests.support.people import person


async def signed_in_as(client) -> int | None:
    r = await client.get("/api/v1/me")
    return r.json()["id"] if r.status_code == 200 else None


@pytest.mark.parametrize("role", ["student", "ta", "instructor"])
async def test_a_launch_signs_the_platform_user_in_enrolled_with_their_role(
        client, platform, course, role):
    r = await launch(client, platform, unit_url(course), role=role, sub=f"{role}-7")
    assert r.status_code == 303, r.text
    assert landing(r) == f"/courses/{course.id}/units/unit-1"
    account = await LtiAccount.get(issuer=platform.issuer, subject=f"{role}-7")
    assert await signed_in_as(client) == account.user_id
    membership = await Membership.get(user_id=account.user_id, course_id=course.id)
    assert membership.role.value == role
    user = await User.get(id=account.user_id)
    assert user.name == f"Platform {role}-7" and user.email.endswith(".lti.invalid")
    page = await client.get(f"/courses/{course.id}")
    assert page.status_code == 200


async def test_a_course_link_lands_on_the_course_page(client, platform, course):
    r = await launch(client, platform, f"https://cw.example/courses/{course.id}")
    assert landing(r) == f"/courses/{course.id}"


async def test_the_resource_link_stays_bound_to_its_first_target(client, platform, course):
    first = await launch(client, platform, unit_url(course, "unit-1"))
    again = await launch(client, platform, unit_url(course, "unit-2"))
    assert landing(first) == landing(again) == (
        f"/courses/{course.id}/units/unit-1")
    links = await LtiResourceLink.all()
    assert [(x.link_id, x.course_id, x.block_id, x.title) for x in links] == [
        ("resource-link-1", course.id, "unit-1", "Week 1")]
    assert await LtiAccount.filter(issuer=platform.issuer, subject="user-1").count() == 1


async def test_accounts_are_linked_by_subject_never_by_email(client, platform, course):
    owner = await person("user-1@lms.example.edu")  # the address the platform sends
    r = await launch(client, platform, unit_url(course), sub="user-1")
    assert r.status_code == 303
    account = await LtiAccount.get(issuer=platform.issuer, subject="user-1")
    assert account.user_id != owner.id
    assert not await Membership.exists(user_id=owner.id)


async def test_a_relaunch_never_lowers_a_role(client, platform, course):
    await launch(client, platform, unit_url(course), role="instructor")
    r = await launch(client, platform, unit_url(course), role="student")
    assert r.status_code == 303
    account = await LtiAccount.get(issuer=platform.issuer, subject="user-1")
    assert (await Membership.get(user_id=account.user_id)).role.value == "instructor"


REFUSALS = {
    "bad signature": ({"key": new_key()[1]}, 401, "signature"),
    "wrong audience": ({"aud": "another-tool"}, 401, "audience"),
    "expired": ({"lifetime": -300}, 401, "expired"),
    "issued in the future": ({"iat": 4_000_000_000, "lifetime": 4_000_000_000}, 401, "future"),
    "unknown deployment": ({CLAIM + "deployment_id": "deployment-9"}, 403, "deployment"),
    "unknown issuer": ({"iss": "https://other.example"}, 401, "issuer"),
    "wrong nonce": ({"nonce": "not-the-login-nonce"}, 401, "nonce"),
    "foreign azp": ({"aud": ["coursewire-client-1", "x"], "azp": "x"}, 401, "azp"),
    "unknown key id": ({"kid": "no-such-kid"}, 401, "key"),
    "no sub": ({"sub": None}, 400, "sub"),
    "wrong message type": ({CLAIM + "message_type": "LtiSubmissionReviewRequest"}, 400,
                           "LtiSubmissionReviewRequest"),
    "wrong version": ({CLAIM + "version": "1.1"}, 400, "1.3.0"),
    "no known role": ({CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]},
                      403, "role"),
    "no resource link": ({CLAIM + "resource_link": None}, 400, "resource link"),
    "not a coursewire target": ({CLAIM + "target_link_uri": "https://evil.example/x"}, 400,
                                "target"),
}


@pytest.mark.parametrize("case", REFUSALS)
async def test_a_refused_launch_is_a_clear_page_and_signs_nobody_in(
        client, platform, course, case):
    claims, status, words = REFUSALS[case]
    auth = await start_login(client, platform, unit_url(course))
    claims = dict(claims)
    nonce = claims.pop("nonce", auth.nonce)
    sub = claims.pop("sub", "user-1")
    id_token = platform.id_token(nonce, sub=sub, role="student",
                                 target_link_uri=unit_url(course), **claims)
    r = await client.post("/lti/launch", data={"id_token": id_token, "state": auth.state})
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert words.lower() in r.text.lower()
    assert await signed_in_as(client) is None
    assert not await LtiAccount.exists() and not await Membership.exists(course_id=course.id,
                                                                        role="student")


async def test_a_replayed_launch_is_refused(client, platform, course):
    auth = await start_login(client, platform, unit_url(course))
    id_token = platform.id_token(auth.nonce, sub="user-1", role="student",
                                 target_link_uri=unit_url(course))
    form = {"id_token": id_token, "state": auth.state}
    assert (await client.post("/lti/launch", data=form)).status_code == 303
    replay = await client.post("/lti/launch", data=form)
    assert replay.status_code == 400 and "already used" in replay.text


async def test_a_state_from_another_browser_is_refused(client, platform, course):
    first = await start_login(client, platform, unit_url(course))
    await start_login(client, platform, unit_url(course))  # this browser's cookie moves on
    id_token = platform.id_token(first.nonce, sub="user-1", role="student",
                                 target_link_uri=unit_url(course))
    r = await client.post("/lti/launch", data={"id_token": id_token, "state": first.state})
    assert r.status_code == 400 and "another browser" in r.text
    assert await signed_in_as(client) is None


async def test_without_the_state_cookie_the_page_offers_a_new_window(client, platform, course):
    auth = await start_login(client, platform, unit_url(course))
    client.cookies.clear()  # a browser that blocks cookies in the platform's frame
    id_token = platform.id_token(auth.nonce, sub="user-1", role="student",
                                 target_link_uri=unit_url(course))
    r = await client.post("/lti/launch", data={"id_token": id_token, "state": auth.state})
    assert r.status_code == 400
    assert 'target="_blank"' in r.text and "/lti/login?iss=" in r.text
    assert await signed_in_as(client) is None


@pytest.mark.parametrize("params, status", [
    ({"iss": "https://unknown.example"}, 404),
    ({"lti_deployment_id": "deployment-9"}, 400),
    ({"target_link_uri": "https://evil.example/elsewhere"}, 400),
    ({"login_hint": ""}, 400),
])
async def test_a_bad_login_initiation_is_a_clear_page(client, platform, course, params, status):
    r = await client.get("/lti/login",
                         params={**platform.login_params(unit_url(course)), **params})
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert "set-cookie" not in r.headers


async def test_login_initiation_by_post_sets_the_state_cookie(client, platform, course):
    r = await client.post("/lti/login", data=platform.login_params(unit_url(course)))
    assert r.status_code == 302
    auth = platform.authorize(r.headers["location"])
    cookie = r.headers["set-cookie"]
    assert f"lti_state={auth.state}" in cookie and "HttpOnly" in cookie
    assert "Path=/lti/" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


async def test_a_launch_into_a_missing_course_is_refused_and_binds_nothing(client, platform):
    r = await launch(client, platform, "https://cw.example/courses/course-v1:No+Such+Course")
    assert r.status_code == 404
    assert not await LtiResourceLink.exists()


async def test_over_https_the_state_cookie_works_in_a_cross_site_frame_with_a_fallback(
        app, platform, course):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        r = await client.get("/lti/login", params=platform.login_params(unit_url(course)))
        assert r.status_code == 302
        cookies = r.headers.get_list("set-cookie")
        framed = next(c for c in cookies if c.startswith("lti_state="))
        legacy = next(c for c in cookies if c.startswith("lti_state_legacy="))
        assert "SameSite=None" in framed and "Secure" in framed and "Partitioned" in framed
        assert "SameSite" not in legacy and "Secure" in legacy
        # A browser that dropped the SameSite=None cookie still finishes with the fallback.
        auth = platform.authorize(r.headers["location"])
        client.cookies.delete("lti_state")
        id_token = platform.id_token(auth.nonce, sub="user-1", role="student",
                                     target_link_uri=unit_url(course))
        done = await client.post("/lti/launch", data={"id_token": id_token, "state": auth.state})
        assert done.status_code == 303, done.text
