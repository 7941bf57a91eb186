"""The authorization matrix, generated from the app's route table: every route and method
x anonymous, outsider, student, TA and instructor, against the declared policy in
authz_policy.py; then every live topic x the same roles. One real server with the demo
course (its objects: Ada's submission, thread and post, a peer-review block, a unit).

Requests carry an empty body: the question is only whether the caller gets past the
door (allowed: no 401/403; refused: 401/login redirect/403/404), and never a 5xx.
Routes that end the caller's session run last.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
import websockets
from starlette.routing import Route

from app.application import create_app
from core.settings import Settings
from tests.conftest import REDIS_URL
from tests.support.live import api_token, server_env, session_cookie, start_seeded
from tests.support.servers import ServerProcess
from tests.trust.authz_policy import KNOWN, POLICY, ROLES, TOPICS

pytestmark = [pytest.mark.slow]

COURSE = "course-v1:Coursewire+PY101+2026"
QUIZ = "loops-exam"  # the demo course's quiz: Ada starts an attempt at it
EMAILS = {"outsider": "outsider@example.org", "student": "ada@demo.coursewire",
          "ta": "ta@demo.coursewire", "instructor": "instructor@demo.coursewire"}
OUTSIDER_PASSWORD = "an outsider's long password"
ENDS_SESSION = {("POST", "/logout"), ("POST", "/api/v1/auth/logout")}


def route_table(tmp_path) -> list[tuple[str, str]]:
    """(method, path) for every HTTP route the app serves (HEAD is GET's twin)."""
    app = create_app(Settings(data_dir=tmp_path, database_url="sqlite://:memory:",
                              redis_url=None, mongo_url=None, secret_key="x"))
    return sorted((method, route.path) for route in app.starlette.routes
                  if isinstance(route, Route)
                  for method in (route.methods or set()) - {"HEAD"})


def test_every_route_has_a_declared_policy(tmp_path):
    table = route_table(tmp_path)
    missing = [pair for pair in table if pair not in POLICY]
    stale = [pair for pair in POLICY if pair not in table]
    assert not missing, f"routes without a policy in tests/trust/authz_policy.py: {missing}"
    assert not stale, f"policies for routes that no longer exist: {stale}"


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    env = server_env(db_factory, tmp_path_factory.mktemp("authz"), REDIS_URL)
    process, _ = start_seeded("uvicorn", env)
    r = httpx.post(process.base + "/api/v1/auth/register",
                   json={"email": EMAILS["outsider"], "password": OUTSIDER_PASSWORD,
                         "name": "Outsider"})
    assert r.status_code == 201, r.text
    yield process
    process.stop()


class Caller:
    def __init__(self, base: str, role: str) -> None:
        self.role = role
        self.token = self.cookie = self.csrf = None
        if role == "anonymous":  # a browser that opened the login page: a session, no user
            with httpx.Client(base_url=base) as c:
                page = c.get("/login")
                m = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
                self.csrf = m.group(1) if m else ""
                self.cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
            return
        email = EMAILS[role]
        password = OUTSIDER_PASSWORD if role == "outsider" else "coursewire-demo"
        self.token = api_token(base, email, password)
        self.cookie, self.csrf = session_cookie(base, email, password)

    def headers(self, path: str) -> dict[str, str]:
        if path.startswith("/api/"):
            if self.role == "anonymous":
                return {}
            return {"Authorization": f"Bearer {self.token}"}
        return {"Cookie": self.cookie or "", "X-CSRF-Token": self.csrf or ""}


def walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def course_objects(base: str, callers: dict[str, Caller]) -> dict[str, str]:
    """Real ids for the path parameters: the demo course's blocks, Ada's submission,
    thread and post, her user id."""
    staff = callers["instructor"].headers("/api/")
    ada = callers["student"].headers("/api/")
    with httpx.Client(base_url=base, timeout=30) as c:
        outline = c.get(f"/api/v1/courses/{COURSE}/outline", headers=ada).json()
        blocks = [n for n in walk(outline) if "id" in n and ("type" in n or "category" in n)]
        kind = {n["id"]: n.get("type") or n.get("category") for n in blocks}
        unit = next(b for b, k in kind.items() if k in ("vertical", "unit"))
        peer = next(b for b, k in kind.items() if k == "peer_review")
        problem = "countdown"
        r = c.post(f"/api/v1/courses/{COURSE}/blocks/{problem}/submissions",
                   json={"answer": {"text": "1"}}, headers=ada)
        assert r.status_code == 202, r.text
        submission = r.json()["id"]
        r = c.post(f"/api/v1/courses/{COURSE}/forum/threads",
                   json={"title": "Matrix", "body": "Ada's own thread", "kind": "discussion"},
                   headers=ada)
        assert r.status_code == 201, r.text
        thread = r.json()["id"]
        post = r.json().get("post_id") or next(
            n["id"] for n in walk(c.get(f"/api/v1/forum/threads/{thread}", headers=ada).json())
            if "body" in n and "id" in n)
        me = c.get("/api/v1/me", headers=ada).json()["id"]
        extensions = c.get(f"/api/v1/courses/{COURSE}/extensions", headers=staff).json()
        extension = next((n["id"] for n in walk(extensions) if "id" in n), 1)
        r = c.post(f"/api/v1/courses/{COURSE}/groups", json={"name": "Matrix"}, headers=staff)
        group = r.json()["id"] if r.status_code == 201 else 1
        r = c.post(f"/api/v1/courses/{COURSE}/quizzes/{QUIZ}/attempts", headers=ada)
        assert r.status_code in (200, 201), r.text
        attempt, question = r.json()["id"], r.json()["questions"][0]["id"]
    return {"course_id": COURSE, "block_id": problem, "unit_id": unit, "peer_block_id": peer,
            "submission_id": str(submission), "thread_id": str(thread), "post_id": str(post),
            "user_id": str(me), "extension_id": str(extension), "assignment_id": "1",
            "group_id": str(group),
            "response_id": "1", "version": "0" * 24, "name": "missing.txt",
            "attempt_id": str(attempt), "question_id": question,
            "code": "no-such-invite", "bank": "loops",
            "registration_id": "1", "score_id": "1", "notification_id": "1",
            "slug": "uni", "provider_id": "1", "link_id": "1"}


def concrete(path: str, objects: dict[str, str]) -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[0]
        if name == "block_id" and "peer-review" in path:
            return objects["peer_block_id"]
        if name == "block_id" and "/units/" in path:
            return objects["unit_id"]
        if name == "block_id" and "/quizzes/" in path:
            return QUIZ
        return objects[name]

    return re.sub(r"\{([^}]+)\}", value, path)


def verdict(method: str, path: str, role: str, response: httpx.Response) -> str | None:
    """Why `response` breaks the policy, or None."""
    status = response.status_code
    if status >= 500:
        return f"{status} server error"
    allowed = role in POLICY[(method, path)]
    # A page GET sends the signed-out to the login form (after a POST, that is success).
    to_login = (method == "GET" and status in (302, 303)
                and "/login" in response.headers.get("location", ""))
    if allowed:
        if status in (401, 403) or (to_login and role != "anonymous"):
            return f"{status}: refused, but the policy allows {role}"
        return None
    if role == "anonymous":
        ok = status in (401, 403) or (to_login and not path.startswith("/api/"))
        if path.startswith("/api/") and status == 403:
            ok = "grader" in path  # the API says 401 to a caller with no credentials
    else:
        ok = status in (403, 404)
    return None if ok else f"{status}: {role} got in, the policy refuses"


def check_cells(server, tmp_path, cells: set[tuple[str, str, str]] | None) -> list[str]:
    """Request every (method, path, role) cell, or only `cells`; the policy breaches."""
    base = server.base
    callers = {role: Caller(base, role) for role in ROLES}
    objects = course_objects(base, callers)
    table = sorted(route_table(tmp_path), key=lambda pair: pair in ENDS_SESSION)
    problems = []
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as c:
        for method, path in table:
            url = concrete(path, objects)
            for role in ROLES:
                if (method, path, role) in KNOWN if cells is None else (
                        (method, path, role) not in cells):
                    continue
                headers = callers[role].headers(path)
                body: dict[str, Any] = {}
                if method != "GET":
                    body = ({"json": {}} if path.startswith("/api/")
                            else {"data": {"csrf_token": callers[role].csrf or ""}})
                c.cookies.clear()  # each caller's own credentials only, never a jar's leftovers
                response = c.request(method, url, headers=headers, **body)
                why = verdict(method, path, role, response)
                if why:
                    problems.append(f"{method} {path} as {role}: {why} "
                                    f"({response.text[:120]!r})")
    return problems


def test_every_route_x_role_follows_the_policy(server, tmp_path):
    problems = check_cells(server, tmp_path, None)
    assert not problems, f"{len(problems)} cells break the policy:\n" + "\n".join(problems)


@pytest.mark.parametrize("cell", [
    pytest.param(cell, marks=pytest.mark.xfail(strict=True, reason=why), id=" ".join(cell))
    for cell, why in KNOWN.items()])
def test_known_policy_breaches(server, tmp_path, cell):
    assert not check_cells(server, tmp_path, {cell})


async def test_every_topic_x_role_follows_the_policy(server):
    base = server.base
    callers = {role: Caller(base, role) for role in ROLES}
    objects = course_objects(base, callers)
    problems = []
    for template, allowed in TOPICS.items():
        topic = template.format(**objects)
        for role in ROLES:
            granted = await subscribe(server, callers[role], topic)
            if granted != (role in allowed):
                problems.append(f"{topic} as {role}: {'granted' if granted else 'denied'}")
    assert not problems, "topics break the policy:\n" + "\n".join(problems)


async def subscribe(server: ServerProcess, caller: Caller, topic: str) -> bool:
    url = f"{server.ws_base}/api/v1/events"
    if caller.token:
        url += f"?token={caller.token}"
    try:
        async with websockets.connect(url, open_timeout=10) as ws:
            await ws.send(json.dumps({"subscribe": [topic]}))
            while True:
                answer = json.loads(await ws.recv())
                if "subscribed" in answer or "denied" in answer:
                    return topic in answer.get("subscribed", [])
                if answer.get("event") == "error" or "error" in answer:
                    return False
    except (websockets.ConnectionClosed, websockets.InvalidStatus):
        return False
