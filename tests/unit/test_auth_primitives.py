import time

import jwt
import pytest

from accounts import tokens
from accounts.passwords import hash_password, verify_password
from accounts.tokens import issue_token, token_subject, user_id_from_token
from core.errors import NotAuthenticated
from core.ratelimit import MemoryRateLimiter

KEY = "unit-test-signing-key-0123456789abcdef"


def test_password_hash_is_argon2id_and_verifies_only_the_right_password():
    h = hash_password("s3cret-pass")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "s3cret-pass")
    assert not verify_password(h, "s3cret-pasS")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_token_round_trip_names_the_user():
    assert user_id_from_token(issue_token(42, KEY, 60), KEY) == 42


def test_expired_token_is_rejected_with_a_clear_message():
    with pytest.raises(NotAuthenticated, match="expired"):
        user_id_from_token(issue_token(1, KEY, -1), KEY)


def test_a_verified_token_is_refused_once_it_expires():
    token = issue_token(7, KEY, 1)
    assert token_subject(token, KEY) == (7, 0)  # verified, and remembered
    assert token_subject(token, KEY) == (7, 0)
    time.sleep(max(0.0, jwt.decode(token, options={"verify_signature": False})["exp"]
                   - time.time()) + 0.05)
    with pytest.raises(NotAuthenticated, match="expired"):
        token_subject(token, KEY)


def test_a_verified_token_does_not_pass_under_another_secret():
    token = issue_token(8, KEY, 60)
    assert token_subject(token, KEY) == (8, 0)
    with pytest.raises(NotAuthenticated):
        token_subject(token, "another-key-that-is-long-enough-000")


def test_the_verified_tokens_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(tokens, "_VERIFIED", {})
    monkeypatch.setattr(tokens, "_VERIFIED_MAX", 3)
    issued = [issue_token(uid, KEY, 60) for uid in range(5)]
    assert [token_subject(t, KEY)[0] for t in issued] == list(range(5))
    assert len(tokens._VERIFIED) == 3
    assert (issued[0], KEY) not in tokens._VERIFIED  # the oldest went first
    assert token_subject(issued[0], KEY) == (0, 0)  # and verifies again


@pytest.mark.parametrize("token", [
    "garbage",
    issue_token(1, "another-key-that-is-long-enough-000", 60),
    jwt.encode({"sub": "1", "exp": int(time.time()) + 60, "typ": "refresh"}, KEY, "HS256"),
    jwt.encode({"sub": "1", "exp": int(time.time()) + 60, "typ": "access"}, KEY, "HS384"),
    jwt.encode({"sub": "x", "exp": int(time.time()) + 60, "typ": "access"}, KEY, "HS256"),
])
def test_invalid_tokens_are_rejected(token):
    with pytest.raises(NotAuthenticated):
        user_id_from_token(token, KEY)


async def test_memory_rate_limiter_counts_within_a_window_and_resets():
    rl = MemoryRateLimiter()
    assert [await rl.hit("a", 60) for _ in range(3)] == [1, 2, 3]
    assert await rl.count("a") == 3
    await rl.reset("a")
    assert await rl.count("a") == 0
    await rl.hit("b", -1)  # an already-expired window starts over
    assert await rl.count("b") == 0
