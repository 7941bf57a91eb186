"""A simulated OpenID Connect provider served on 127.0.0.1 (a real HTTP server on a free
port, for the app in process and for a real browser): its own RSA key, a discovery
document, a key set, an authorization endpoint that redirects back with a code (or with
error=access_denied) and a token endpoint that checks PKCE and client credentials and
issues id_tokens. Tests set who signs in (`user`) and how the next id_token is spoiled
(`spoil`)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.support.servers import free_port


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str
    user: dict[str, Any]


@dataclass
class SimulatedProvider:
    client_id: str = "coursewire-test"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    user: dict[str, Any] = field(default_factory=lambda: {
        "sub": "u-1", "email": "ada@uni.example", "email_verified": True, "name": "Ada U"})
    deny: bool = False  # the person presses "Cancel" at the provider
    spoil: dict[str, Any] = field(default_factory=dict)  # claims overriding the next tokens
    other_key: bool = False  # sign with a key the key set does not publish
    issued: list[str] = field(default_factory=list)
    replay: str | None = None  # answer the next token request with this id_token
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.kid = secrets.token_hex(6)
        self.key = _key()
        self.grants: dict[str, Grant] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> SimulatedProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        """The provider goes down: connections are refused."""
        self._server.shutdown()
        self._server.server_close()

    def registration(self, slug: str = "uni", **overrides: Any) -> dict[str, Any]:
        return {"slug": slug, "display_name": "Uni", "issuer": self.issuer,
                "client_id": self.client_id, "client_secret": self.client_secret,
                **overrides}

    # -- what the browser does at the provider --------------------------------------------
    def authorize(self, url: str) -> str:
        """Follow our redirect to the authorization endpoint; where it sends the browser."""
        r = httpx.get(url, follow_redirects=False)
        assert r.status_code == 302, r.text
        return r.headers["location"]

    # -- the endpoints ----------------------------------------------------------------------
    def discovery(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"]}

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def _authorize(self, query: str) -> str:
        q = {k: v[0] for k, v in parse_qs(query).items()}
        assert q["response_type"] == "code" and q["client_id"] == self.client_id
        assert q["code_challenge_method"] == "S256" and "openid" in q["scope"].split()
        back = q["redirect_uri"]
        if self.deny:
            return back + "?" + urlencode({"error": "access_denied", "state": q["state"]})
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(q["client_id"], back, q["nonce"], q["code_challenge"],
                                  dict(self.user))
        return back + "?" + urlencode({"code": code, "state": q["state"]})

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": grant.client_id, "iat": now, "exp": now + 300,
                  "nonce": grant.nonce, **grant.user, **self.spoil}
        key = _key() if self.other_key else self.key
        token = jwt.encode({k: v for k, v in claims.items() if v is not None}, key,
                           algorithm="RS256", headers={"kid": self.kid})
        self.issued.append(token)
        return token

    def _token(self, headers: Any, body: str) -> tuple[int, dict[str, Any]]:
        form = {k: v[0] for k, v in parse_qs(body).items()}
        self.token_requests.append(form)
        client = form.get("client_id"), form.get("client_secret")
        auth = headers.get("authorization", "")
        if auth.startswith("Basic "):
            client = tuple(base64.b64decode(auth[6:]).decode().split(":", 1))
        if client != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant.challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        id_token = self.replay or self.id_token(grant)
        return 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                     "expires_in": 300, "id_token": id_token}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    self._json(200, provider.discovery())
                elif url.path == "/jwks":
                    self._json(200, provider.jwks())
                elif url.path == "/authorize":
                    self.send_response(302)
                    self.send_header("Location", provider._authorize(url.query))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._json(404, {})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                if urlsplit(self.path).path == "/token":
                    self._json(*provider._token(self.headers, body))
                else:
                    self._json(404, {})

            def _json(self, status: int, data: Any) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        return Handler
