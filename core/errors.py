"""Errors a user can cause. Each carries its HTTP status and an API error code.

Routes and services raise these; one handler (app.errors_http) turns them into the
JSON error shape `{error: {code, message, fields}}` or an HTML message. Nothing a user
does should reach a 500.
"""

from __future__ import annotations

from typing import Any


class CoursewireError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class BadInput(CoursewireError):
    status, code = 400, "bad_input"


class NotAuthenticated(CoursewireError):
    status, code = 401, "not_authenticated"


class PermissionDenied(CoursewireError):
    status, code = 403, "permission_denied"


class NotFound(CoursewireError):
    status, code = 404, "not_found"


class Conflict(CoursewireError):
    status, code = 409, "conflict"


class TooLarge(CoursewireError):
    status, code = 413, "too_large"


class InvalidState(CoursewireError):
    status, code = 422, "invalid_state"


class RateLimited(CoursewireError):
    status, code = 429, "rate_limited"

    def __init__(self, message: str, *, retry_after: int = 60, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after
