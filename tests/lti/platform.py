"""A simulated LTI 1.3 platform (an LMS) for tests: its own RSA keys and key set (served
through an httpx MockTransport the tool fetches with), its authorization endpoint's answer
to our login redirect, and id_tokens minted the way Moodle or Canvas would."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
ROLES = {"student": [ROLE + "Learner"],
         "ta": ["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"],
         "instructor": [ROLE + "Instructor",
                        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"]}


def new_key() -> tuple[str, rsa.RSAPrivateKey]:
    return secrets.token_hex(8), rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class AuthRequest:
    """What our login redirect asked the platform's authorization endpoint."""

    url: str
    params: dict[str, str]

    @property
    def state(self) -> str:
        return self.params["state"]

    @property
    def nonce(self) -> str:
        return self.params["nonce"]


@dataclass
class Platform:
    issuer: str = "https://lms.example.edu"
    client_id: str = "coursewire-client-1"
    deployment_id: str = "deployment-1"
    keys: list[tuple[str, rsa.RSAPrivateKey]] = field(default_factory=lambda: [new_key()])
    jwks_fetches: int = 0
    reachable: bool = True
    key_set_status: int = 200  # what the key set URL answers (a broken platform: 500)
    registration_id: int | None = None  # once registered with the tool
    tool_jwks: dict[str, Any] = field(default_factory=dict)  # the tool's /lti/jwks, for AGS
    issued_tokens: list[str] = field(default_factory=list)
    revoked_tokens: set[str] = field(default_factory=set)
    scores: list[dict[str, Any]] = field(default_factory=list)
    # Names and Role Provisioning: the context's roster, served page_size members a page
    members: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    roster_reads: int = 0

    @property
    def auth_login_url(self) -> str:
        return self.issuer + "/mod/lti/auth.php"

    @property
    def key_set_url(self) -> str:
        return self.issuer + "/mod/lti/certs.php"

    def registration(self, **overrides: Any) -> dict[str, Any]:
        return {"issuer": self.issuer, "client_id": self.client_id,
                "deployment_ids": [self.deployment_id], "auth_login_url": self.auth_login_url,
                "auth_token_url": self.token_url,
                "key_set_url": self.key_set_url, **overrides}

    # -- the key set -----------------------------------------------------------------------
    def jwks(self) -> dict[str, Any]:
        return {"keys": [{**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": kid,
                          "alg": "RS256", "use": "sig"} for kid, key in self.keys]}

    def rotate(self) -> None:
        """A new signing key; the old one leaves the key set."""
        self.keys = [new_key()]

    @property
    def token_url(self) -> str:
        return self.issuer + "/mod/lti/token.php"

    @property
    def line_item(self) -> str:
        return self.issuer + "/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1"

    def _serve(self, request: httpx.Request) -> httpx.Response:
        if not self.reachable:
            raise httpx.ConnectError("platform down", request=request)
        if str(request.url) == self.key_set_url:
            self.jwks_fetches += 1
            if self.key_set_status != 200:
                return httpx.Response(self.key_set_status, text="<html>Internal error</html>")
            return httpx.Response(200, json=self.jwks())
        if str(request.url) == self.token_url and request.method == "POST":
            return self._grant_token(request)
        if str(request.url).startswith(self.memberships_url) and request.method == "GET":
            return self._serve_memberships(request)
        if request.url.path.endswith("/lineitem/scores") and request.method == "POST":
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.issued_tokens or token in self.revoked_tokens:
                return httpx.Response(401)
            assert request.headers["content-type"] == "application/vnd.ims.lis.v1.score+json"
            assert request.url.params["type_id"] == "1"
            self.scores.append(json.loads(request.content))
            return httpx.Response(200)
        return httpx.Response(404)

    @property
    def memberships_url(self) -> str:
        return self.issuer + "/mod/lti/services.php/CourseSection/2/bindings/1/memberships"

    def member(self, sub: str, role: str, status: str = "Active") -> dict[str, Any]:
        """A roster entry as Moodle sends it."""
        return {"user_id": sub, "status": status, "name": f"Platform {sub}",
                "given_name": "Platform", "family_name": sub, "roles": ROLES[role]}

    def nrps_claims(self, context_id: str = "moodle-course-2") -> dict[str, Any]:
        return {"https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                    "context_memberships_url": self.memberships_url,
                    "service_versions": ["2.0"]},
                CLAIM + "context": {"id": context_id, "title": "Moodle: Programming 1"}}

    def _serve_memberships(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.issued_tokens:
            return httpx.Response(401)
        assert request.headers["accept"] == (
            "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
        self.roster_reads += 1
        start = int(request.url.params.get("page", "0")) * self.page_size
        members = self.members[start:start + self.page_size]
        headers = {}
        if start + self.page_size < len(self.members):
            page = start // self.page_size + 1
            headers["Link"] = f'<{self.memberships_url}?page={page}>; rel="next"'
        return httpx.Response(200, headers=headers, json={
            "id": self.memberships_url, "context": {"id": "moodle-course-2"},
            "members": members})

    def _grant_token(self, request: httpx.Request) -> httpx.Response:
        """The token endpoint: the tool's JWT assertion, checked with the tool's key set."""
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        assert form["grant_type"] == "client_credentials"
        assert form["client_assertion_type"] == (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        kid = jwt.get_unverified_header(form["client_assertion"])["kid"]
        key = next(jwt.PyJWK(k) for k in self.tool_jwks["keys"] if k["kid"] == kid)
        claims = jwt.decode(form["client_assertion"], key, algorithms=["RS256"],
                            audience=self.token_url, issuer=self.client_id)
        assert claims["sub"] == self.client_id and claims["jti"]
        token = f"token-{len(self.issued_tokens) + 1}"
        self.issued_tokens.append(token)
        return httpx.Response(200, json={"access_token": token, "token_type": "bearer",
                                         "expires_in": 3600, "scope": form["scope"]})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._serve)

    # -- login and launch ------------------------------------------------------------------
    def login_params(self, target_link_uri: str, **overrides: str) -> dict[str, str]:
        return {"iss": self.issuer, "login_hint": "hint-42", "target_link_uri": target_link_uri,
                "lti_message_hint": "msg-7", "client_id": self.client_id,
                "lti_deployment_id": self.deployment_id, **overrides}

    def authorize(self, location: str) -> AuthRequest:
        """The platform's authorization endpoint receiving our redirect: it checks what a
        real platform checks before it posts an id_token back."""
        assert location.startswith(self.auth_login_url + "?"), location
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        assert params["client_id"] == self.client_id
        assert params["response_type"] == "id_token"
        assert params["response_mode"] == "form_post"
        assert params["scope"] == "openid" and params["prompt"] == "none"
        assert params["login_hint"] == "hint-42" and params["lti_message_hint"] == "msg-7"
        assert urlsplit(params["redirect_uri"]).path == "/lti/launch"
        return AuthRequest(location, params)

    def id_token(self, nonce: str, *, sub: str, role: str, target_link_uri: str,
                 link_id: str = "resource-link-1", key: rsa.RSAPrivateKey | None = None,
                 kid: str | None = None, lifetime: int = 300, **claims: Any) -> str:
        issued = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "iat": issued,
            "exp": issued + lifetime, "nonce": nonce, "name": f"Platform {sub}",
            "email": f"{sub}@lms.example.edu",
            CLAIM + "message_type": "LtiResourceLinkRequest", CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": target_link_uri,
            CLAIM + "resource_link": {"id": link_id, "title": "Week 1"},
            CLAIM + "roles": ROLES[role],
        }
        body.update(claims)
        for name in [k for k, v in body.items() if v is None]:
            del body[name]
        signing_kid, signing_key = self.keys[0]
        return jwt.encode(body, key or signing_key, algorithm="RS256",
                          headers={"kid": kid or signing_kid})
