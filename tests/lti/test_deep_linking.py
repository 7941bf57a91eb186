"""Deep linking round trip: an instructor launched from the platform picks a Coursewire course
or unit, the platform receives a signed LtiDeepLinkingResponse it verifies with the tool's
key set, and a launch of the returned link lands there."""

from __future__ import annotations

import html
import re

import jwt
import pytest

from lti.deep_linking import _units
from tests.lti.conftest import landing, launch, start_login
from tests.lti.platform import CLAIM

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def deep_linking_claims(platform) -> dict[str, object]:
    return {CLAIM + "message_type": "LtiDeepLinkingRequest", CLAIM + "resource_link": None,
            DL + "deep_linking_settings": {
                "deep_link_return_url": platform.issuer + "/mod/lti/contentitem_return.php",
                "accept_types": ["ltiResourceLink"], "data": "opaque-7"}}


async def deep_linking_launch(client, platform, *, role: str = "instructor", sub: str):
    target = "https://coursewire.example.org/lti/launch"
    auth = await start_login(client, platform, target)
    id_token = platform.id_token(auth.nonce, sub=sub, role=role, target_link_uri=target,
                                 **deep_linking_claims(platform))
    return await client.post("/lti/launch", data={"id_token": id_token, "state": auth.state})


def csrf_of(page: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert m
    return m.group(1)


async def test_an_instructor_deep_links_a_course_and_the_link_launches_there(
        client, platform, course):
    # The platform's instructor became the course's instructor by launching its link once.
    first = await launch(client, platform, f"https://cw.example/courses/{course.id}",
                         role="instructor", sub="prof-1")
    assert first.status_code == 303
    picker = await deep_linking_launch(client, platform, sub="prof-1")
    assert picker.status_code == 200, picker.text
    assert f'value="{course.id}"' in picker.text
    r = await client.post("/lti/deep-link", data={"target": course.id,
                                                  "csrf_token": csrf_of(picker.text)})
    assert r.status_code == 200, r.text
    return_url = platform.issuer + "/mod/lti/contentitem_return.php"
    assert f'action="{return_url}"' in r.text and "/static/lti.js" in r.text
    assert f"form-action 'self' {platform.issuer}" in r.headers["content-security-policy"]
    response_jwt = html.unescape(re.search(r'name="JWT" value="([^"]+)"', r.text).group(1))
    # The platform verifies the response with the tool's published key set.
    tool_keys = {k["kid"]: jwt.PyJWK(k) for k in (await client.get("/lti/jwks")).json()["keys"]}
    kid = jwt.get_unverified_header(response_jwt)["kid"]
    body = jwt.decode(response_jwt, tool_keys[kid], algorithms=["RS256"],
                      audience=platform.issuer, issuer=platform.client_id)
    assert body[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert body[CLAIM + "version"] == "1.3.0"
    assert body[CLAIM + "deployment_id"] == platform.deployment_id
    assert body[DL + "data"] == "opaque-7"
    [item] = body[DL + "content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"].endswith(f"/courses/{course.id}")
    assert item["lineItem"]["scoreMaximum"] == 100
    # The choice is spent: the same form again finds no deep linking in progress.
    again = await client.post("/lti/deep-link", data={"target": course.id,
                                                      "csrf_token": csrf_of(picker.text)})
    assert again.status_code == 400
    # A learner launching the new link lands on the course.
    client.cookies.clear()
    landed = await launch(client, platform, item["url"], sub="learner-9", link_id="new-link")
    assert landing(landed) == f"/courses/{course.id}"


async def test_only_courses_the_instructor_teaches_can_be_linked(client, platform, course):
    picker = await deep_linking_launch(client, platform, sub="prof-2")
    assert picker.status_code == 200 and "You teach no Coursewire course yet" in picker.text
    r = await client.post("/lti/deep-link", data={"target": course.id,
                                                  "csrf_token": csrf_of(picker.text)})
    assert r.status_code in (403, 404) and "JWT" not in r.text


async def test_a_learner_cannot_deep_link(client, platform, course):
    r = await deep_linking_launch(client, platform, role="student", sub="learner-1")
    assert r.status_code == 403 and "instructors" in r.text


@pytest.mark.parametrize("outline, units", [
    ({"type": "course", "children": [{"type": "chapter", "children": [
        {"type": "sequential", "children": [{"type": "vertical", "id": "u1", "children": []},
                                            {"type": "vertical", "id": "u2"}]}]}]},
     ["u1", "u2"]),
    ({"type": "course", "children": []}, []),
])
def test_the_picker_offers_every_unit_in_outline_order(outline, units):
    assert [u["id"] for u in _units(outline)] == units
