"""The platforms' public keys: the key set cache of core.jwks, one per Runtime."""

from __future__ import annotations

from core.context import RuntimeValue
from core.jwks import KeySets, KeySetUnavailable

PlatformKeySets = KeySets

PLATFORM_KEYS: RuntimeValue[KeySets] = RuntimeValue("LTI platform key sets")

__all__ = ["PLATFORM_KEYS", "KeySetUnavailable", "PlatformKeySets"]
