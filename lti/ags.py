"""Assignment and Grade Services, the tool's side: scores posted to a platform's line item
with an OAuth 2 access token from the platform's token endpoint, obtained with a JWT
assertion signed by the tool's key (client credentials) and cached until it expires.

What sends a score when a grade changes (grading's hook, retries through the job queue)
is not wired yet; `send_score` raises ScoreNotSent for a caller that will retry.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import httpx
import jwt

from core.context import RuntimeValue
from lti.keys import signing_key
from models.lti import LtiRegistration

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
ASSERTION_LIFETIME = 300
EARLY_RENEWAL = 30.0  # renew a token this long before the platform says it expires
TIMEOUT = 10.0


class ScoreNotSent(Exception):
    """The platform did not take the score (unreachable, refused the token or the score)."""


def scores_url(line_item: str) -> str:
    """`{line item}/scores`, keeping the line item URL's query (Canvas and Moodle use both)."""
    parts = urlsplit(line_item)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


async def client_assertion(registration: LtiRegistration) -> str:
    """The signed JWT that authenticates the tool at the platform's token endpoint."""
    key = await signing_key()
    issued = int(time.time())
    body = {"iss": registration.client_id, "sub": registration.client_id,
            "aud": registration.auth_token_url, "iat": issued,
            "exp": issued + ASSERTION_LIFETIME, "jti": secrets.token_urlsafe(16)}
    return jwt.encode(body, key.private_pem, algorithm="RS256", headers={"kid": key.kid})


@dataclass
class GradeServices:
    """Access tokens per platform and scope, reused until shortly before they expire."""

    transport: httpx.AsyncBaseTransport | None = None
    _tokens: dict[tuple[int, str], tuple[str, float]] = field(default_factory=dict)

    async def access_token(self, registration: LtiRegistration, scope: str) -> str:
        cached = self._tokens.get((registration.id, scope))
        if cached is not None and time.monotonic() < cached[1]:
            return cached[0]
        form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": await client_assertion(registration), "scope": scope}
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=TIMEOUT) as client:
                r = await client.post(registration.auth_token_url, data=form)
            r.raise_for_status()
            data = r.json()
            token, lifetime = data["access_token"], float(data.get("expires_in", 3600))
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise ScoreNotSent(f"no access token from {registration.auth_token_url} "
                               f"({exc.__class__.__name__})") from None
        self._tokens[(registration.id, scope)] = (
            token, time.monotonic() + max(0.0, lifetime - EARLY_RENEWAL))
        return token

    async def send_score(self, registration: LtiRegistration, line_item: str, user_sub: str,
                         given: float, maximum: float, at: datetime) -> None:
        """Post a user's score to a line item; a refused token is renewed once."""
        score = {"userId": user_sub, "scoreGiven": given, "scoreMaximum": maximum,
                 "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                 "timestamp": at.isoformat()}
        for attempt in range(2):
            token = await self.access_token(registration, SCORE_SCOPE)
            try:
                async with httpx.AsyncClient(transport=self.transport,
                                             timeout=TIMEOUT) as client:
                    r = await client.post(scores_url(line_item), json=score, headers={
                        "Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA_TYPE})
            except httpx.HTTPError as exc:
                raise ScoreNotSent(f"{line_item} unreachable ({exc.__class__.__name__})") from None
            if r.status_code == 401 and attempt == 0:
                self._tokens.pop((registration.id, SCORE_SCOPE), None)
                continue
            if r.is_success:
                return
            raise ScoreNotSent(f"{line_item} answered {r.status_code}")


GRADE_SERVICES: RuntimeValue[GradeServices] = RuntimeValue("LTI grade services")
