"""What can go wrong in a sign-in with a provider: each a clear page, never a 500."""

from __future__ import annotations

from typing import Any

from core.errors import CoursewireError


class SignInRefused(CoursewireError):
    """The provider's answer is not one we accept (cancelled, forged, expired, replayed)."""

    status, code = 400, "sign_in_refused"

    def __init__(self, message: str, *, status: int = 400, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.status = status


class ProviderUnavailable(CoursewireError):
    """The provider could not be reached or answered nonsense: a bad gateway."""

    status, code = 502, "provider_unavailable"
