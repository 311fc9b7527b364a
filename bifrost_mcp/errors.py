"""The host's errors: leaves of the SDK's one tree (`bifrost.errors.BifrostError`).

Every entry point turns any of them into a clear answer by catching that one base.
"""

from __future__ import annotations

from bifrost.errors import AccessDenied, BifrostError, NotFoundError, ValidationError


class AuthenticationError(BifrostError):
    """A credential was refused; `status` is the HTTP status to answer with (401, 403 or 400)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ConflictError(ValidationError):
    """An object that would clash with an existing one (same name or email)."""


__all__ = ["AccessDenied", "AuthenticationError", "BifrostError", "ConflictError", "NotFoundError", "ValidationError"]
