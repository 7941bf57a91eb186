"""The tool's own RSA signing keys: generated on first need, rotated on demand, published.

Platforms cache our key set, so a rotation keeps the previous key in `/lti/jwks` for a grace
period: a message signed just before the rotation still verifies, and a platform that
fetched the set just before the rotation finds the new key on its next fetch.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from tortoise.transactions import in_transaction

from core.clock import now
from models.lti import LtiToolKey

ROTATION_GRACE = timedelta(days=7)


def _new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_jwk(key: LtiToolKey) -> dict[str, Any]:
    private = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    return {**jwk, "kid": key.kid, "alg": "RS256", "use": "sig"}


async def signing_key() -> LtiToolKey:
    """The key that signs the tool's messages, made on first need."""
    key = await LtiToolKey.filter(retired_at=None).order_by("-id").first()
    if key is None:
        key = await LtiToolKey.create(kid=secrets.token_urlsafe(16), private_pem=_new_private_pem())
    return key


async def rotate_tool_key() -> LtiToolKey:
    """Make a new signing key; the one it replaces stays published for ROTATION_GRACE."""
    async with in_transaction():
        await LtiToolKey.filter(retired_at=None).update(retired_at=now())
        return await LtiToolKey.create(kid=secrets.token_urlsafe(16),
                                       private_pem=_new_private_pem())


async def tool_jwks() -> dict[str, Any]:
    """The public key set platforms verify our messages with: the signing key and every key
    retired less than ROTATION_GRACE ago."""
    await signing_key()
    since = now() - ROTATION_GRACE
    keys = [k for k in await LtiToolKey.all().order_by("-id")
            if k.retired_at is None or k.retired_at > since]
    return {"keys": [public_jwk(k) for k in keys]}
