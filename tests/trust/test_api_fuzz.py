"""schemathesis against /api/v1/openapi.json on a real server: every operation, fed
examples generated from its schema (valid and invalid), as the course's instructor, a
student and nobody; no answer may be a 5xx. The number of examples is bounded
(`COURSEWIRE_FUZZ_EXAMPLES`, default 6 per operation, mode and caller: about 1,500
requests, two minutes) so the run ends by itself; raise it for a longer hunt.

Known and not yet fixed (each would have its own strict xfail below, and the fuzz run
skips exactly that input so it keeps hunting for new ones): KNOWN_5XX, empty today."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.conftest import REDIS_URL
from tests.support.live import api_token, seeded_server

pytestmark = [pytest.mark.slow]

COURSE = "course-v1:Coursewire+PY101+2026"
EXAMPLES = int(os.environ.get("COURSEWIRE_FUZZ_EXAMPLES", "6"))
# Logging out would end the caller's token for every later example: fuzzed anonymously.
ENDS_THE_SESSION = {("POST", "/api/v1/auth/logout")}


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    yield from seeded_server(db_factory, tmp_path_factory.mktemp("fuzz"), REDIS_URL)


def callers(base: str) -> dict[str, dict[str, str]]:
    return {"instructor": {"Authorization": "Bearer "
                                            + api_token(base, "instructor@demo.coursewire")},
            "student": {"Authorization": "Bearer " + api_token(base, "ada@demo.coursewire")},
            "anonymous": {}}


# Inputs that give a 5xx today, with the test that pins each one (none now: schemathesis
# found a non-ASCII grader token to be a 500, fixed in grading/external.py and pinned below).
KNOWN_5XX: list[Any] = []


def fuzz_operation(operation: Any, base: str, headers: dict[str, str],
                   mode: GenerationMode, failures: list[str]) -> None:
    session = requests.Session()

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode), real_course=st.booleans())
    def run(case, real_course: bool) -> None:
        if real_course and "course_id" in (case.path_parameters or {}):
            case.path_parameters["course_id"] = COURSE  # reach past the 404
        if any(known(case) for known in KNOWN_5XX):
            return
        response = case.call(base_url=base, session=session, headers=headers, timeout=30)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {case.method} {case.formatted_path} "
                            f"{case.path_parameters} query={case.query} body={case.body!r:.300}"
                            f" -> {response.text[:300]}")

    try:
        run()
    except Unsatisfiable:
        if mode is not GenerationMode.NEGATIVE:
            raise
        # Nothing to get wrong (no parameters, no body): no negative case exists.


def test_no_5xx_for_any_generated_request(server):
    base = server.base
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, "the OpenAPI document lost its operations"
    who = callers(base)
    failures: list[str] = []
    for operation in operations:
        key = (operation.method.upper(), operation.path)
        for role, headers in who.items():
            if key in ENDS_THE_SESSION and role != "anonymous":
                continue
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                fuzz_operation(operation, base, headers, mode, failures)
    assert server.proc and server.proc.poll() is None, server.log()[-3000:]
    assert not failures, f"{len(failures)} 5xx answers:\n" + "\n".join(failures[:40])


def test_grader_callback_with_a_non_ascii_token_is_refused_not_a_500(server):
    r = requests.post(f"{server.base}/api/v1/grader/submissions/1", params={"token": "é"},
                      data={"points": "1", "max_points": "1"}, timeout=15)
    assert r.status_code in (400, 403, 404), r.text
