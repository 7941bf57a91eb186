"""Coursewire against an independent LTI 1.3 platform implementation: PyPI's `lti1p3platform`
(the platform side, as an LMS would embed it). Its own classes build the registration, the
OIDC login initiation, the answer to our auth redirect (its preflight validation and its
signed id_token), its deep-linking response validation, its OAuth 2 token endpoint (which
checks our client assertion against our /lti/jwks) and its AGS score and NRPS membership
services (which check the bearer token it issued). Nothing here is our own simulator."""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
)

from lti.ags import GradeServices
from lti.course_access import set_course_access
from lti.passback import collect_scores, send_due_scores
from lti.platform_keys import PLATFORM_KEYS, PlatformKeySets
from lti.roster import sync_course_rosters
from models.courses import Membership, Role
from models.events import Event
from models.lti import LtiAccount
from tests.lti.conftest import landing
from tests.support.people import bearer, course_with, person

ISSUER = "https://lms.lti1p3platform.test"
CLIENT_ID = "coursewire-on-lti1p3platform"
DEPLOYMENT = "deployment-9"
TOOL = "https://coursewire.example.org"
LINEITEMS = ISSUER + "/ags/contexts/c-1/lineitems"
LINEITEM = LINEITEMS + "/li-1"
MEMBERSHIPS = ISSUER + "/nrps/contexts/c-1/memberships"
TOKEN_URL = ISSUER + "/oauth2/token"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def _pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


class PlatformConf(LTI1P3PlatformConfAbstract):
    """The library's platform configuration: one registration of Coursewire."""

    def init_platform_config(self, **kwargs: Any) -> None:
        private, public = _pem_pair()
        self._registration = (
            Registration().set_iss(ISSUER).set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT).set_oidc_login_url(TOOL + "/lti/login")
            .set_launch_url(TOOL + "/lti/launch").set_deeplink_launch_url(TOOL + "/lti/launch")
            .set_tool_key_set_url(TOOL + "/lti/jwks")
            .set_platform_private_key(private).set_platform_public_key(public))

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._registration


class PlainRequest(Request):
    def build_metadata(self, request: dict[str, Any]) -> Any:
        return {"method": "GET", "form_data": {}, "get_data": {}, "headers": {},
                "content_type": None, "path": "/", "json": None, **request}


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return launch_data


class Grades(AssignmentsGradesService):
    """The library's AGS service: scores posted to its one line item are kept."""

    received: list[dict[str, Any]] = []

    def update_score(self, line_item_id: str, score: Any) -> UpdateScoreStatus:
        self.received.append({"line_item": line_item_id, **score})
        return UpdateScoreStatus.SUCCESS

    def find_lineitems(self, *a: Any, **k: Any) -> Any: raise NotImplementedError
    def find_lineitem(self, *a: Any, **k: Any) -> Any: raise NotImplementedError
    def create_lineitem(self, *a: Any, **k: Any) -> Any: raise NotImplementedError
    def update_lineitem(self, *a: Any, **k: Any) -> Any: raise NotImplementedError
    def delete_lineitem(self, *a: Any, **k: Any) -> Any: raise NotImplementedError
    def get_results(self, *a: Any, **k: Any) -> Any: raise NotImplementedError


class Roster(NamesRoleProvisioningService):
    members: list[dict[str, Any]] = []

    def get_member_data_page(self, page: int = 1, limit: int | None = None,
                             **kwargs: Any) -> Any:
        return {"content": [dict(m) for m in self.members], "has_next": False}

    def get_context_by_id(self) -> Context:
        return Context(id="c-1", label="P1", title="Programming 1")


def served_by_library(conf: PlatformConf, grades: list[dict[str, Any]],
                      members: list[dict[str, Any]]) -> httpx.MockTransport:
    """The platform's HTTP side, every answer produced by the library's own handlers."""

    def serve(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url == TOKEN_URL and request.method == "POST":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            return httpx.Response(200, json=conf.get_access_token(form))
        headers = {k.title(): v for k, v in request.headers.items()}
        if url.startswith(LINEITEM + "/scores"):
            service = Grades(PlainRequest({"method": request.method, "headers": headers,
                                           "json": json.loads(request.content)}),
                             conf, LINEITEMS, LINEITEM)
            service.received = grades
            answer = service.handle_resp(service.handle_update_score, line_item_id="li-1")
            return httpx.Response(answer.code, json={"message": answer.message})
        if url.startswith(MEMBERSHIPS):
            service = Roster(PlainRequest({"method": request.method, "headers": headers}),
                             conf, MEMBERSHIPS)
            service.members = members
            answer = service.handle_resp(service.handle_get_members)
            return httpx.Response(answer.code, json=answer.result,
                                  headers={"Content-Type": answer.media_type})
        return httpx.Response(404)

    return httpx.MockTransport(serve)


@pytest.fixture
async def setup(app, client, admin_token):
    conf = PlatformConf()
    keyset = conf.get_jwks()
    app.runtime.provide(PLATFORM_KEYS, PlatformKeySets(transport=httpx.MockTransport(
        lambda r: httpx.Response(200, json=keyset) if str(r.url) == ISSUER + "/jwks"
        else httpx.Response(404))))
    r = await client.post("/api/v1/lti/registrations", headers=bearer(admin_token), json={
        "issuer": ISSUER, "client_id": CLIENT_ID, "deployment_ids": [DEPLOYMENT],
        "auth_login_url": ISSUER + "/auth", "auth_token_url": TOKEN_URL,
        "key_set_url": ISSUER + "/jwks"})
    assert r.status_code == 201, r.text
    teacher = await person("teacher@example.org", creator=True)
    course = await course_with(teacher, {})
    await set_course_access(teacher, course.id, r.json()["id"], True)
    # The library fetches tool keys with `requests`; it is handed our published key set.
    conf.get_registration().set_tool_key_set((await client.get("/lti/jwks")).json())
    return conf, course


async def library_launch(client: httpx.AsyncClient, conf: PlatformConf, target: str, *,
                         sub: str, roles: list[str], deep_link: bool = False,
                         grades: bool = False) -> httpx.Response:
    """Login initiation by the library, our /lti/login, the library's answer to our auth
    redirect (it validates our request and signs the id_token), the form_post to us."""
    login = Login(PlainRequest({}), conf)
    login.set_lti_message_hint(hint="msg-1")
    login.set_launch_url(target)
    initiation = urlsplit(login.initiate_login(sub))
    assert initiation.path == "/lti/login"
    r = await client.get("/lti/login", params=parse_qs(initiation.query))
    assert r.status_code == 302, r.text
    auth = {k: v[0] for k, v in parse_qs(urlsplit(r.headers["location"]).query).items()}
    message = Launch(PlainRequest({"get_data": auth}), conf)
    message.set_launch_url(target)
    message.set_user_data(sub, roles, full_name=f"Library {sub}")
    message.set_resource_link_claim("rl-" + target.rsplit("/", 1)[-1], title="Week 1")
    message.set_launch_context_claim("c-1", context_title="Programming 1")
    message.set_nrps(MEMBERSHIPS)
    if grades:
        message.set_ags(LINEITEMS, LINEITEM)
    if deep_link:
        message.set_dl(ISSUER + "/deep-link-return", accept_types={"ltiResourceLink"},
                       extra_data={"k": "v"})
    form = message.lti_launch()
    assert urlsplit(form["launch_url"]).path == "/lti/launch"
    return await client.post("/lti/launch", data={"id_token": form["id_token"],
                                                  "state": form["state"]})


async def test_learner_and_instructor_launch_from_lti1p3platform(client, setup):
    conf, course = setup
    target = f"{TOOL}/courses/{course.id}/units/unit-1"
    r = await library_launch(client, conf, target, sub="lib-learner", roles=[ROLE + "Learner"])
    assert landing(r) == f"/courses/{course.id}/units/unit-1"
    learner = await LtiAccount.get(subject="lib-learner")
    assert (await Membership.get(course_id=course.id, user_id=learner.user_id)).role == (
        Role.STUDENT)
    client.cookies.clear()
    r = await library_launch(client, conf, f"{TOOL}/courses/{course.id}", sub="lib-prof",
                             roles=[ROLE + "Instructor"])
    assert landing(r) == f"/courses/{course.id}"
    prof = await LtiAccount.get(subject="lib-prof")
    assert (await Membership.get(course_id=course.id, user_id=prof.user_id)).role == (
        Role.INSTRUCTOR)


async def test_deep_linking_response_passes_lti1p3platform_validation(client, setup):
    conf, course = setup
    await library_launch(client, conf, f"{TOOL}/courses/{course.id}", sub="lib-prof",
                         roles=[ROLE + "Instructor"])
    picker = await library_launch(client, conf, TOOL + "/lti/launch", sub="lib-prof",
                                  roles=[ROLE + "Instructor"], deep_link=True)
    assert picker.status_code == 200, picker.text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', picker.text).group(1)
    r = await client.post("/lti/deep-link", data={"target": course.id, "csrf_token": csrf})
    assert r.status_code == 200, r.text
    assert f'action="{ISSUER}/deep-link-return"' in r.text
    response_jwt = html.unescape(re.search(r'name="JWT" value="([^"]+)"', r.text).group(1))
    conf.set_accepted_deeplinking_types(["ltiResourceLink"])
    [item] = conf.validate_deeplinking_resp({"JWT": response_jwt})
    assert item["type"] == "ltiResourceLink" and item["url"].endswith(f"/courses/{course.id}")
    assert item["lineItem"]["scoreMaximum"] == 100
    # A response whose content was changed fails the library's signature check.
    head, body, sig = response_jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] = {"k": "forged"}
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(jwt.InvalidSignatureError):
        conf.validate_deeplinking_resp({"JWT": f"{head}.{forged}.{sig}"})


async def test_scores_and_roster_through_lti1p3platform_services(client, setup, monkeypatch):
    monkeypatch.setattr("lti.passback.INTERVAL", 3600)
    conf, course = setup
    received: list[dict[str, Any]] = []
    members = [{"user_id": "lib-prof", "roles": [ROLE + "Instructor"], "name": "Prof"},
               {"user_id": "lib-new", "roles": [ROLE + "Learner"], "name": "New One"}]
    transport = served_by_library(conf, received, members)
    await collect_scores()
    r = await library_launch(client, conf, f"{TOOL}/courses/{course.id}", sub="lib-learner",
                             roles=[ROLE + "Learner"], grades=True)
    assert r.status_code == 303
    learner = (await LtiAccount.get(subject="lib-learner")).user_id
    await Event.create(topic=f"course:{course.id}:staff", name="grade.updated",
                       data_by_audience={"staff": {"user_id": learner, "block_id": "b",
                                                   "course_percent": 0.6}})
    assert await collect_scores() == 1
    # The library's token endpoint checks our signed client assertion; its score service
    # checks the bearer token it issued, and takes the score.
    assert await send_due_scores(GradeServices(transport=transport)) == 1
    [score] = received
    assert (score["line_item"], score["userId"], score["scoreGiven"],
            score["scoreMaximum"]) == ("li-1", "lib-learner", 60.0, 100.0)
    # Its membership service (same token checks) gives the roster our sync reads.
    client.cookies.clear()
    await library_launch(client, conf, f"{TOOL}/courses/{course.id}", sub="lib-prof",
                         roles=[ROLE + "Instructor"])
    prof = await (await LtiAccount.get(subject="lib-prof")).user
    done = await sync_course_rosters(prof, course.id, GradeServices(transport=transport))
    assert done.active == 2 and done.inactive == 1  # the learner is no longer listed
    new = await LtiAccount.get(subject="lib-new")
    assert (await Membership.get(course_id=course.id, user_id=new.user_id)).role == (
        Role.STUDENT)
