"""External graders over the A+ grader protocol.

The platform POSTs the submission to the block's `grader_url` with `submission_url`,
`post_url`, `max_points`, `uid`, `ordinal_number` and `lang` as GET query parameters
(as A+ does, doc/GRADERS.md) and the answer's fields as the form body; the body repeats
the protocol parameters for graders written against older versions of this platform.
The grader either answers at once with the points (JSON
`{points, max_points, feedback, error}`, or A+-style HTML `<meta name="points" ...>`),
or accepts (`{"status": "accepted"}` / `<meta name="status" value="accepted">`) and
later POSTs `points`, `max_points`, `feedback`, `grading_payload`, `error` to
`submission_url`. That URL carries a token only this platform can make (an HMAC of
the submission id), so it authorizes exactly one submission and nothing else.

`request_grade` asks once. Transport failures, 5xx and unreadable replies are retried
by grading.grade_job, which puts the job back on the queue with a delay (exponential
backoff) rather than sleeping in a worker slot; after the last retry the submission is
marked `error`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import re
from dataclasses import dataclass
from typing import Any

import httpx

from core import outbound
from core.context import RuntimeValue
from core.settings import Settings

log = logging.getLogger("coursewire.grading.external")


@dataclass(frozen=True)
class ExternalConfig:
    secret_key: str = "unset"
    public_url: str = "http://127.0.0.1:8000"
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0


# The secret and the URLs graders use to reach us, bound by the Runtime from its settings.
CONFIG: RuntimeValue[ExternalConfig] = RuntimeValue("external grader settings",
                                                    default=ExternalConfig())


def config_from(settings: Settings) -> ExternalConfig:
    return ExternalConfig(
        secret_key=settings.secret_key, public_url=settings.public_url.rstrip("/"),
        timeout=settings.external_grader_timeout_seconds,
        retries=max(0, settings.external_grader_retries),
        backoff=settings.external_grader_backoff_seconds)


class ExternalGraderError(Exception):
    """The grader could not be reached or answered something we cannot use."""


@dataclass(frozen=True)
class GraderReply:
    points: float
    max_points: float
    feedback: str = ""
    payload: Any = None
    error: bool = False


def submission_token(submission_id: int) -> str:
    message = f"external-grader:{submission_id}".encode()
    return hmac.new(CONFIG.get().secret_key.encode(), message, hashlib.sha256).hexdigest()[:40]


def token_is_valid(submission_id: int, token: object) -> bool:
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a TypeError,
    # which would be a 500 for a forged ?token=é instead of a refusal).
    return isinstance(token, str) and hmac.compare_digest(
        submission_token(submission_id).encode(), token.encode("utf-8", "surrogatepass"))


def submission_url(submission_id: int) -> str:
    return (f"{CONFIG.get().public_url}/api/v1/grader/submissions/{submission_id}"
            f"?token={submission_token(submission_id)}")


def retries() -> int:
    """How many times a failed request is retried (after the first try)."""
    return CONFIG.get().retries


def retry_delay(failed_runs: int) -> float:
    """Seconds to wait before the next try after `failed_runs` failures (1, 2, ...)."""
    return CONFIG.get().backoff * 2 ** max(0, failed_runs - 1)


def protocol_params(*, submission_id: int, user_id: int, attempt: int, max_points: float,
                    course_id: str, block_id: str, lang: str = "en") -> dict[str, str]:
    """The A+ protocol's parameters, sent as the grader URL's GET query."""
    return {
        "submission_url": submission_url(submission_id),
        "post_url":
            f"{CONFIG.get().public_url}/courses/{course_id}/blocks/{block_id}/submissions",
        "max_points": f"{max_points:g}", "uid": str(user_id),
        "ordinal_number": str(attempt), "lang": lang,
    }


def grader_form(answer: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    """The POST body: the answer's fields, then the protocol parameters again (older
    graders of this platform read them from the body)."""
    form: dict[str, Any] = {}
    for key, value in answer.items():
        form[key] = value if isinstance(value, list) else str(value)
    form.update(params)
    return form


async def request_grade(grader_url: str, form: dict[str, Any],
                        params: dict[str, str]) -> GraderReply | None:
    """POST the submission once; the reply if it was synchronous, None if accepted for
    later. ExternalGraderError if it is worth asking again later."""
    try:
        # Merged, not replaced: a grader URL may carry its own query (?exercise=3).
        url = httpx.URL(grader_url).copy_merge_params(params)
        port = url.port or (443 if url.scheme == "https" else 80)
        address = await outbound.current_policy().checked_address(url.host, port)
    except (httpx.InvalidURL, outbound.RefusedAddress) as exc:
        # Asking again will not help: the block's grader_url has to change.
        return GraderReply(0.0, 1.0, f"The grader address is refused: {exc}.", error=True)
    # Connect to the address just checked, naming the host in Host and TLS (SNI).
    host_header = url.netloc.decode("ascii").rpartition("@")[2]
    try:
        async with httpx.AsyncClient(timeout=CONFIG.get().timeout) as client:
            response = await client.post(
                url.copy_with(host=address), data=form, headers={"Host": host_header},
                extensions={"sni_hostname": url.host})
    except httpx.HTTPError as exc:
        raise ExternalGraderError(f"{type(exc).__name__}: {exc}") from None
    if response.status_code >= 500:
        raise ExternalGraderError(f"grader answered HTTP {response.status_code}")
    if response.status_code >= 400:
        # The grader refuses this submission; asking again will not help.
        return GraderReply(0.0, 1.0, f"The grader refused the submission "
                           f"(HTTP {response.status_code}).", error=True)
    return parse_reply(response.text, response.headers.get("content-type", ""))


_META = re.compile(r'<meta\s+name="([\w-]+)"\s+value="([^"]*)"', re.I)


def parse_reply(text: str, content_type: str = "") -> GraderReply | None:
    data: dict[str, Any]
    try:
        loaded = json.loads(text)
        data = loaded if isinstance(loaded, dict) else {}
    except json.JSONDecodeError:
        data = {m.group(1).replace("-", "_"): m.group(2) for m in _META.finditer(text)}
        if data and "feedback" not in data:
            data["feedback"] = text
    if str(data.get("status", "")).lower() == "accepted":
        return None
    if not data:
        raise ExternalGraderError("grader reply is neither JSON nor A+ HTML with points")
    return reply_from_fields(data)


def reply_from_fields(data: dict[str, Any]) -> GraderReply:
    """Validate `points`/`max_points` (0 <= points <= max_points) and read the rest."""
    error = str(data.get("error", "")).lower() in {"1", "true", "yes"} or data.get(
        "error") is True
    try:
        points = float(data.get("points", 0 if error else "x"))
        max_points = float(data.get("max_points", 1 if error else "x"))
    except (TypeError, ValueError):
        raise ExternalGraderError("points and max_points must be numbers") from None
    if not (math.isfinite(points) and math.isfinite(max_points)) or max_points <= 0:
        raise ExternalGraderError("max_points must be a positive number")
    if not 0 <= points <= max_points:
        raise ExternalGraderError(f"points must be between 0 and max_points ({max_points:g})")
    payload = data.get("grading_payload")
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError:
            pass
    feedback = data.get("feedback") or ""
    return GraderReply(points, max_points, str(feedback)[:100_000], payload, error)
