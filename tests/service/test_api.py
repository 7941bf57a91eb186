"""The JSON API contract (Auth, Courses and roles, announcements) and its errors."""

import pytest

from tests.support.people import PASSWORD, bearer, course_with, person, token


async def test_register_token_me_round_trip(client):
    r = await client.post("/api/v1/auth/register",
                          json={"email": "Ada@Example.org", "password": PASSWORD, "name": "Ada"})
    assert r.status_code == 201
    assert r.json() == {"id": r.json()["id"], "email": "ada@example.org", "name": "Ada"}
    r = await client.post("/api/v1/auth/token", json={"email": "ada@example.org",
                                                      "password": PASSWORD})
    body = r.json()
    assert r.status_code == 200 and body["token_type"] == "bearer" and body["expires_in"] > 0
    me = await client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.json() == {"id": body and me.json()["id"], "email": "ada@example.org",
                         "name": "Ada", "is_admin": False, "timezone": None, "language": None}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nonsense"},
                                     {"Authorization": "Basic Zm9vOmJhcg=="}])
async def test_calls_without_valid_credentials_get_401_in_the_error_shape(client, headers):
    r = await client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    assert set(r.json()["error"]) >= {"code", "message"}


async def test_wrong_password_is_401_and_unknown_email_looks_the_same(client, app):
    await person("known@example.org")
    a = await client.post("/api/v1/auth/token", json={"email": "known@example.org",
                                                      "password": "wrong-password"})
    b = await client.post("/api/v1/auth/token", json={"email": "unknown@example.org",
                                                      "password": "wrong-password"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


async def test_too_many_logins_get_429_with_retry_after(client, app):
    await person("target@example.org")
    for _ in range(app.runtime.settings.login_attempts_per_account):
        await client.post("/api/v1/auth/token", json={"email": "target@example.org",
                                                      "password": "nope-nope"})
    r = await client.post("/api/v1/auth/token", json={"email": "target@example.org",
                                                      "password": PASSWORD})
    assert r.status_code == 429
    assert r.headers["retry-after"].isdigit()
    assert "Try again" in r.json()["error"]["message"]


@pytest.mark.parametrize("body,status", [
    (b"{not json", 400), (b"[1, 2]", 400), (b"", 400), (b"\xff\xfe", 400),
])
async def test_malformed_json_is_400_with_the_error_shape(client, body, status):
    r = await client.post("/api/v1/auth/register", content=body,
                          headers={"content-type": "application/json"})
    assert r.status_code == status
    assert r.json()["error"]["code"] == "bad_input"


async def test_oversized_bodies_are_413_before_anything_is_read(client):
    r = await client.post("/api/v1/auth/register", content=b"x" * 1_000_001,
                          headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"


async def test_register_validation_names_each_field(client):
    r = await client.post("/api/v1/auth/register", json={"email": 3, "password": "x"})
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"email", "password", "name"}


async def test_courses_create_list_and_roles(client):
    await person("prof@example.org", creator=True)
    student = await person("stud@example.org")
    prof_t = await token(client, "prof@example.org")
    stud_t = await token(client, "stud@example.org")
    r = await client.post("/api/v1/courses", headers=bearer(prof_t),
                          json={"org": "MITx", "number": "6.00x", "run": "2026", "title": "CS"})
    assert r.status_code == 201
    course_id = r.json()["id"]
    assert course_id == "course-v1:MITx+6.00x+2026" and r.json()["role"] == "instructor"
    r = await client.put(f"/api/v1/courses/{course_id}/members/{student.id}",
                         headers=bearer(prof_t), json={"role": "student"})
    assert r.status_code == 200 and r.json()["role"] == "student"
    r = await client.get("/api/v1/courses", headers=bearer(stud_t))
    assert [(c["id"], c["role"]) for c in r.json()] == [(course_id, "student")]
    # A student can't manage members; a bad role is 400; an unknown course is 404.
    r = await client.put(f"/api/v1/courses/{course_id}/members/{student.id}",
                         headers=bearer(stud_t), json={"role": "instructor"})
    assert r.status_code == 403
    r = await client.put(f"/api/v1/courses/{course_id}/members/{student.id}",
                         headers=bearer(prof_t), json={"role": "king"})
    assert r.status_code == 400
    r = await client.get("/api/v1/courses/course-v1:No+Such+Run/announcements",
                         headers=bearer(prof_t))
    assert r.status_code == 404


async def test_students_cannot_create_courses(client):
    await person("plain@example.org")
    tok = await token(client, "plain@example.org")
    r = await client.post("/api/v1/courses", headers=bearer(tok),
                          json={"org": "A", "number": "B", "run": "C", "title": "D"})
    assert r.status_code == 403


async def test_announcements_api_posts_and_lists_newest_first(client):
    prof = await person("prof@example.org", creator=True)
    student = await person("stud@example.org")
    course = await course_with(prof, {student: "student"})
    prof_t = await token(client, "prof@example.org")
    stud_t = await token(client, "stud@example.org")
    url = f"/api/v1/courses/{course.id}/announcements"
    for title in ("first", "second"):
        r = await client.post(url, headers=bearer(prof_t), json={"title": title, "body": "*hi*"})
        assert r.status_code == 201
        assert set(r.json()) >= {"id", "title", "body_html", "created_at"}
    r = await client.get(url, headers=bearer(stud_t))
    assert [a["title"] for a in r.json()] == ["second", "first"]
    r = await client.post(url, headers=bearer(stud_t), json={"title": "x", "body": "y"})
    assert r.status_code == 403


async def test_openapi_describes_every_api_route(client, app):
    from starlette.routing import Route

    doc = (await client.get("/api/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    routed = {r.path.replace("{user_id:int}", "{user_id}") for r in app.starlette.routes
              if isinstance(r, Route) and r.path.startswith("/api/v1/")
              and r.path != "/api/v1/openapi.json"}
    assert routed == set(doc["paths"])
    for path, ops in doc["paths"].items():
        methods = {m.lower() for r in app.starlette.routes if isinstance(r, Route)
                   and r.path.replace("{user_id:int}", "{user_id}") == path
                   for m in r.methods or () if m != "HEAD"}  # a path may have a route per method
        assert methods == (set(ops) - {"parameters"}), path


def test_docs_api_md_names_only_real_routes_and_every_lti_route(app):
    """docs/api.md documents the endpoints beyond the contract: each one it names exists
    (with that method), and every LTI route is there unless the contract has it."""
    import re
    from pathlib import Path

    from starlette.routing import Route

    def norm(path: str) -> str:
        return re.sub(r"\{[a-z_]+(:int)?\}", "{}", path)

    routes = {(m, norm(r.path)) for r in app.starlette.routes if isinstance(r, Route)
              for m in r.methods or () if m != "HEAD"}
    text = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    named = {(m, norm(p.split("?")[0])) for m, p in re.findall(
        r"`(GET|POST|PUT|PATCH|DELETE) (/[^` ]+)", text)}
    assert named and named <= routes, named - routes
    in_contract = {("POST", "/api/v1/lti/registrations"), ("GET", "/lti/jwks"),
                   ("GET", "/lti/login"), ("POST", "/lti/login"), ("POST", "/lti/launch"),
                   ("POST", "/lti/deep-link")}
    lti = {(m, p) for m, p in routes if "/lti" in p}
    # a page's GET and POST are documented together as "`GET path` ... `POST` form"
    documented = named | {("POST", p) for m, p in named if m == "GET"}
    assert lti - in_contract <= documented, (lti - in_contract) - documented


@pytest.mark.parametrize("bad_id", ["99999999999999999999", "2147483648", "²", "0", "-1"])
async def test_ids_out_of_range_are_client_errors_on_every_store(client, bad_id):
    # A number too long for the id column used to fail inside the database driver (500).
    await person("prof@example.org", creator=True)
    prof_t = await token(client, "prof@example.org")
    r = await client.post("/api/v1/courses", headers=bearer(prof_t),
                          json={"org": "MITx", "number": "6.00x", "run": "2026", "title": "CS"})
    course_id = r.json()["id"]
    calls = [
        ("PUT", f"/api/v1/courses/{course_id}/members/{bad_id}", {"role": "student"}, 404),
        ("GET", f"/api/v1/submissions/{bad_id}", None, 404),
        ("GET", f"/api/v1/forum/threads/{bad_id}", None, 404),
        ("POST", f"/api/v1/forum/threads/{bad_id}/posts", {"body": "hi"}, 404),
        ("POST", f"/api/v1/forum/posts/{bad_id}/flags", {"reason": "spam"}, 404),
        ("POST", f"/api/v1/peer-review/assignments/{bad_id}/assessment",
         {"scores": {}, "feedback": ""}, 404),
    ]
    for method, path, body, status in calls:
        r = await client.request(method, path, headers=bearer(prof_t), json=body)
        assert r.status_code == status, (method, path, r.status_code, r.text[:200])
        assert r.json()["error"]["code"]


@pytest.mark.parametrize("body", [
    b"[" * 5000,  # deep enough to exhaust the parser's stack (RecursionError)
    b'{"email": ' + b"[" * 5000 + b"}",  # within the sign-up body limit (8 KB)
    b'{"email": ' + b"9" * 5000 + b"}",  # past Python's int-from-string digit limit
], ids=["deep-array", "deep-value", "huge-int"])
async def test_json_that_breaks_the_parser_is_400_not_500(client, body):
    r = await client.post("/api/v1/auth/register", content=body,
                          headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text[:200]
    assert r.json()["error"]["code"] == "bad_input"
    assert r.json()["error"]["message"].startswith("Malformed JSON")


async def test_json_nested_deeper_than_any_request_needs_is_400(client):
    # The parser accepts this (it gives up near 1,000 levels); later code might not.
    body = b'{"email": ' + b"[" * 200 + b"]" * 200 + b"}"
    r = await client.post("/api/v1/auth/register", content=body,
                          headers={"content-type": "application/json"})
    assert r.status_code == 400 and "nested" in r.json()["error"]["message"]


@pytest.mark.parametrize("body", [
    '{"email": "a@example.org", "password": "correct horse", "name": "Ada\\u0000"}',
    '{"email": "a@example.org", "password": "correct horse", "name": "\\ud800"}',
    '{"email": "a@example.org", "password": "correct horse", "name": "Ada", '
    '"extra": [{"deep": ["\\udc00"]}]}',
    '{"email": "a@example.org", "password": "correct horse", "name": "Ada", "\\u0000": 1}',
])
async def test_nul_and_lone_surrogates_anywhere_in_json_are_400(client, body):
    r = await client.post("/api/v1/auth/register", content=body.encode(),
                          headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text[:200]
    assert r.json()["error"]["code"] == "bad_input"
    assert "NUL" in r.json()["error"]["message"]
    assert (await client.post("/api/v1/auth/token", json={
        "email": "a@example.org", "password": "correct horse"})).status_code == 401


async def test_text_in_json_posted_to_a_course_is_checked_too(client):
    prof = await person("prof@example.org", creator=True)
    course = await course_with(prof, {})
    tok = await token(client, "prof@example.org")
    url = f"/api/v1/courses/{course.id}/announcements"
    r = await client.post(url, headers=bearer(tok), json={"title": "T\x00", "body": "x"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_input"
    r = await client.post(url, headers={**bearer(tok), "content-type": "application/json"},
                          content=b'{"title": "T", "body": "\\ud83d"}')
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_input"
    assert (await client.get(url, headers=bearer(tok))).json() == []


@pytest.mark.parametrize("path", [
    "/api/v1/courses/course-v1:A%00+B+C/announcements",
    "/api/v1/courses/course-v1%3AA+B+C%00/members/1",
    "/api/v1/forum/threads/1%00",
])
async def test_ids_holding_a_nul_are_404_on_every_store(client, path):
    await person("prof@example.org", creator=True)
    tok = await token(client, "prof@example.org")
    for method in ("GET", "PUT", "POST"):
        r = await client.request(method, path, headers=bearer(tok), json={"role": "student"})
        assert r.status_code == 404, (method, r.text[:200])
        assert r.json()["error"]["code"] == "not_found"


async def test_query_strings_holding_a_nul_are_400(client):
    r = await client.get("/api/v1/courses?x=%00")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_input"
