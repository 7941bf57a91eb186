"""Failed sign-ins slow down the guesser, never lock the owner out: failures are counted per
account+address pair (growing delays) and per address, not per account; and the message
offers nothing but waiting (the way out of a forgotten password is the login page's own
"Forgot password?" link, tests/trust/test_password_reset.py)."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

import core.ratelimit
from accounts.service import authenticate
from app.application import create_app
from core.errors import NotAuthenticated, RateLimited
from core.ratelimit import MemoryRateLimiter
from tests.conftest import make_settings
from tests.support.people import PASSWORD, person


async def _fail(email, ip, limiter, settings):
    with pytest.raises(NotAuthenticated):
        await authenticate(email, "wrong password", client_ip=ip, limiter=limiter,
                           settings=settings)


async def test_a_stranger_cannot_lock_the_owner_out(db):
    await person("victim@example.org")
    limiter = MemoryRateLimiter()
    for _ in range(db.login_attempts_per_account + 5):
        try:
            await _fail("victim@example.org", "203.0.113.9", limiter, db)
        except RateLimited:
            pass
    user = await authenticate("victim@example.org", PASSWORD, client_ip="198.51.100.7",
                              limiter=limiter, settings=db)
    assert user.email == "victim@example.org"


async def test_repeated_failures_from_one_address_get_growing_delays(db, monkeypatch):
    db = dataclasses.replace(db, login_attempts_per_account=3)
    await person("forgetful@example.org")
    clock = [1000.0]
    monkeypatch.setattr(core.ratelimit.time, "monotonic", lambda: clock[0])
    limiter = MemoryRateLimiter()
    for _ in range(3):
        await _fail("forgetful@example.org", "10.0.0.1", limiter, db)
    delays = []
    for _ in range(3):
        with pytest.raises(RateLimited) as caught:
            await authenticate("forgetful@example.org", PASSWORD, client_ip="10.0.0.1",
                               limiter=limiter, settings=db)
        assert "reset" not in caught.value.message.lower()
        delays.append(caught.value.retry_after)
        clock[0] += caught.value.retry_after + 0.5  # wait it out, then fail once more
        await _fail("forgetful@example.org", "10.0.0.1", limiter, db)
    assert delays[0] < delays[1] < delays[2]
    clock[0] += 3600
    assert await authenticate("forgetful@example.org", PASSWORD, client_ip="10.0.0.1",
                              limiter=limiter, settings=db)


async def test_one_address_guessing_many_accounts_is_limited(db):
    db = dataclasses.replace(db, login_attempts_per_ip=5)
    await person("someone@example.org")
    limiter = MemoryRateLimiter()
    for i in range(5):
        await _fail(f"nobody{i}@example.org", "10.0.0.1", limiter, db)
    with pytest.raises(RateLimited) as caught:
        await authenticate("someone@example.org", PASSWORD, client_ip="10.0.0.1",
                           limiter=limiter, settings=db)
    assert "reset" not in caught.value.message.lower()
    assert await authenticate("someone@example.org", PASSWORD, client_ip="10.0.0.2",
                              limiter=limiter, settings=db)


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_limiters_hold_a_key_for_a_while(kind):
    import uuid

    from tests.conftest import REDIS_URL
    if kind == "redis" and not REDIS_URL:
        pytest.skip("service mode only (REDIS_URL)")
    limiter = (MemoryRateLimiter() if kind == "memory" else
               core.ratelimit.RedisRateLimiter(REDIS_URL, f"cwtest:{uuid.uuid4().hex[:8]}:"))
    try:
        assert await limiter.held_for("k") == 0
        await limiter.hold("k", 30)
        assert 0 < await limiter.held_for("k") <= 30
        await limiter.reset("k")
        assert await limiter.held_for("k") == 0
    finally:
        await limiter.close()


async def test_over_http_the_owner_signs_in_after_a_strangers_failures_elsewhere(
        db_factory, tmp_path):
    """The regression test through the API: a stranger's guesses from one address are
    slowed down (429 with Retry-After); the owner, from another, signs in at once."""
    settings = make_settings(tmp_path, await db_factory.new_url(), login_attempts_per_account=3,
                             trusted_proxies=("127.0.0.1",))
    application = create_app(settings)
    await application.runtime.start()
    try:
        await person("victim@example.org")
        transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            statuses, refusal = [], None
            for _ in range(6):
                r = await c.post("/api/v1/auth/token", headers={"X-Forwarded-For": "203.0.113.9"},
                                 json={"email": "victim@example.org", "password": "guess"})
                statuses.append(r.status_code)
                refusal = r if r.status_code == 429 else refusal
            assert statuses[:3] == [401, 401, 401] and 429 in statuses
            assert refusal is not None and int(refusal.headers["retry-after"]) > 0
            assert "lock" not in refusal.text.lower() and "reset" not in refusal.text.lower()
            r = await c.post("/api/v1/auth/token", headers={"X-Forwarded-For": "198.51.100.7"},
                             json={"email": "victim@example.org", "password": PASSWORD})
            assert r.status_code == 200
    finally:
        await application.runtime.stop()
