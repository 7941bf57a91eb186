"""HTML pages carry a CSP with frame-ancestors 'self', X-Frame-Options and Referrer-Policy;
anonymous JSON API calls are told to authenticate (401), not that CSRF failed (403)."""

from __future__ import annotations

from tests.support.people import browser_login, person


async def test_html_pages_carry_the_browser_defences(client):
    for path in ("/login", "/register", "/no-such-page"):
        r = await client.get(path)
        assert "text/html" in r.headers["content-type"], path
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'self'" in csp and "script-src 'self'" in csp, path
        assert r.headers.get("x-frame-options") == "SAMEORIGIN", path
        assert r.headers.get("referrer-policy") == "same-origin", path


async def test_signed_in_pages_carry_them_too(client):
    await person("ada@example.org")
    await browser_login(client, "ada@example.org")
    r = await client.get("/")
    assert "frame-ancestors 'self'" in r.headers.get("content-security-policy", "")


async def test_anonymous_api_post_is_401_not_403(client):
    r = await client.post("/api/v1/courses", json={"org": "a", "number": "b", "run": "c",
                                                    "title": "t"})
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "not_authenticated"


async def test_signed_in_cookie_api_post_still_needs_the_csrf_token(client):
    await person("ada@example.org")
    await browser_login(client, "ada@example.org")
    r = await client.post("/api/v1/courses", json={"org": "a", "number": "b", "run": "c",
                                                    "title": "t"})
    assert r.status_code == 403, r.text
