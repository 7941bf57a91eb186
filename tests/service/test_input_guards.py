"""Guards at the edge: text in forms, redirects after login, who counts as "one IP" for the
login limit, and what a bug looks like to the client (never a traceback)."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.routing import Route

from accounts.routes import _safe_next
from app.application import create_app
from tests.conftest import make_settings
from tests.service.test_pages import csrf_of
from tests.support.people import PASSWORD, person


async def test_form_fields_holding_a_nul_are_400_urlencoded_and_multipart(client):
    csrf = csrf_of((await client.get("/register")).text)
    fields = {"email": "nul@example.org", "password": PASSWORD, "name": "Nul\x00",
              "csrf_token": csrf}
    r = await client.post("/register", data=fields)
    assert r.status_code == 400 and "NUL" in r.text
    r = await client.post("/register", data={k: v for k, v in fields.items()},
                          files={"upload": ("x.bin", b"\x00\x01 files may hold anything")},
                          headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400 and "NUL" in r.text
    # The same multipart form without the NUL in a text field goes through.
    fields["name"] = "Nul"
    r = await client.post("/register", data=fields,
                          files={"upload": ("x.bin", b"\x00\x01 files may hold anything")},
                          headers={"X-CSRF-Token": csrf})
    assert r.status_code == 303, r.text[:300]


async def test_htmx_forms_get_the_message_in_their_error_area(client):
    csrf = csrf_of((await client.get("/login")).text)
    r = await client.post("/login", data={"email": "a\x00@example.org", "password": "x",
                                          "csrf_token": csrf}, headers={"HX-Request": "true"})
    assert r.status_code == 400 and r.headers["hx-retarget"] == "find .form-errors"


async def test_course_pages_with_a_nul_in_the_id_are_404(client):
    r = await client.get("/courses/course-v1:A%00+B+C")
    assert r.status_code == 404


@pytest.mark.parametrize("target", [
    "//evil.example/", "/\\evil.example", "/\\/evil.example", "/%09/evil.example",
    "/\t/evil.example", "/\n/evil.example", "\\\\evil.example", "https://evil.example/",
    "http:/evil.example", "evil.example", "/\x7f/evil.example", "",
])
def test_next_never_leaves_the_site(target):
    from urllib.parse import unquote

    assert _safe_next(target) == "/"
    assert _safe_next(unquote(target)) == "/"  # as it arrives from a query string


@pytest.mark.parametrize("target", ["/", "/courses/course-v1:A+B+C?tab=forum#top",
                                    "/courses/x/forum/threads/3"])
def test_next_keeps_paths_on_the_site(target):
    assert _safe_next(target) == target


async def test_login_with_a_crafted_next_lands_on_the_dashboard(client):
    await person("u@example.org")
    for target in ("/\\evil.example", "/%09/evil.example"):
        page = await client.get("/login", params={"next": target})
        assert 'name="next" value="/"' in page.text
        r = await client.post("/login", data={"email": "u@example.org", "password": PASSWORD,
                                              "csrf_token": csrf_of(page.text),
                                              "next": target.replace("%09", "\t")})
        assert r.status_code == 303 and r.headers["location"] == "/"


@pytest.fixture
async def limited(db_factory, tmp_path, request) -> AsyncIterator[httpx.AsyncClient]:
    """An app allowing 3 failed logins per IP, its proxies as the test asks."""
    trusted = getattr(request, "param", ())
    settings = make_settings(tmp_path, await db_factory.new_url(), login_attempts_per_ip=3,
                             trusted_proxies=trusted)
    application = create_app(settings)
    await application.runtime.start()
    # httpx's ASGI transport connects from 127.0.0.1, like a proxy on the same machine.
    transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
    await application.runtime.stop()


async def _login(client: httpx.AsyncClient, email: str, password: str,
                 forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    r = await client.post("/api/v1/auth/token", json={"email": email, "password": password},
                          headers=headers)
    return r.status_code


async def test_a_classroom_behind_one_address_can_all_log_in(limited):
    for i in range(8):  # more than the per-IP limit, all successful
        await person(f"student{i}@example.org")
        assert await _login(limited, f"student{i}@example.org", PASSWORD) == 200
    # Failures still count: three wrong passwords from here, then everyone waits.
    for i in range(3):
        assert await _login(limited, f"student{i}@example.org", "wrong password") == 401
    assert await _login(limited, "student5@example.org", PASSWORD) == 429


async def test_x_forwarded_for_is_ignored_unless_the_proxy_is_trusted(limited):
    for i in range(3):
        assert await _login(limited, "x@example.org", "wrong", forwarded_for=f"10.0.0.{i}") == 401
    assert await _login(limited, "y@example.org", "wrong", forwarded_for="10.9.9.9") == 429


@pytest.mark.parametrize("limited", [("127.0.0.1",)], indirect=True)
async def test_a_trusted_proxy_names_the_client(limited):
    for _ in range(3):
        assert await _login(limited, "x@example.org", "wrong", forwarded_for="10.0.0.1") == 401
    assert await _login(limited, "y@example.org", "wrong", forwarded_for="10.0.0.1") == 429
    # Another client behind the same proxy is not held up...
    assert await _login(limited, "y@example.org", "wrong", forwarded_for="10.0.0.2") == 401
    # ...and a client can't pose as someone else: the proxy appends the real address last.
    assert await _login(limited, "y@example.org", "wrong",
                        forwarded_for="10.0.0.77, 10.0.0.1") == 429


def test_trusted_proxies_come_from_the_environment_and_are_checked(tmp_path):
    from core.settings import load_settings

    base = {"COURSEWIRE_DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 40}
    assert load_settings(base).trusted_proxies == ()
    env = {**base, "COURSEWIRE_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}
    assert load_settings(env).trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    with pytest.raises(ValueError, match="not an IP"):
        load_settings({**base, "COURSEWIRE_TRUSTED_PROXIES": "proxy.local"})


def test_serve_does_not_let_the_servers_believe_forwarded_headers(monkeypatch, tmp_path):
    import daphne.cli
    import uvicorn

    from app.cli import build_parser, server

    seen: dict[str, object] = {}
    monkeypatch.setattr(daphne.cli.CommandLineInterface, "run",
                        lambda self, argv: seen.update(daphne=argv))
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(uvicorn=kw))
    monkeypatch.setattr(server, "_stop_after_daphne", lambda: None)
    settings = make_settings(tmp_path, "sqlite://:memory:")
    for name in ("daphne", "uvicorn"):
        args = build_parser().parse_args(["serve", "--server", name])
        server.cmd_serve(args, settings)
    assert "--proxy-headers" not in seen["daphne"]  # type: ignore[operator]
    assert seen["uvicorn"]["proxy_headers"] is False  # type: ignore[index]


@pytest.fixture
async def buggy(app) -> AsyncIterator[httpx.AsyncClient]:
    async def boom(request):
        raise RuntimeError("secret-detail-" + uuid.uuid4().hex)

    app.starlette.router.routes += [Route("/api/v1/boom", boom), Route("/boom", boom)]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_a_bug_is_a_500_in_the_api_error_shape_without_a_traceback(buggy):
    r = await buggy.get("/api/v1/boom")
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "server_error"
    assert "secret-detail" not in r.text and "Traceback" not in r.text


async def test_a_bug_is_a_500_page_without_a_traceback(buggy):
    r = await buggy.get("/boom")
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in r.text
    assert "secret-detail" not in r.text and "Traceback" not in r.text
