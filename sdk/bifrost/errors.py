"""Errors a workflow raises or receives. One base, few leaves; each message says the fix."""

from __future__ import annotations

from typing import Any


class BifrostError(Exception):
    """Base class of every error the bifrost SDK raises."""


class UserError(BifrostError):
    """User-facing error: its message is shown to the caller verbatim."""


class WorkflowError(BifrostError):
    """Workflow execution error."""


class ValidationError(BifrostError, ValueError):
    """Invalid input: a bad argument, query operator or value. The message names what to fix."""


class IntegrationError(BifrostError):
    """An integration is missing, misconfigured, or its OAuth token could not be refreshed."""


class ConfigurationError(BifrostError):
    """Required configuration is missing or invalid. The message names the key to set."""


class AccessDenied(BifrostError, PermissionError):
    """The caller may not do this. The message says who may, or what to ask for."""


class NotFoundError(BifrostError, LookupError, ValueError):
    """What was asked for does not exist, or is hidden from this caller (the two answer alike)."""


class NotAvailableError(BifrostError, NotImplementedError):
    """An SDK capability this host does not provide (yet)."""


class ClientUnavailableError(NotAvailableError):
    """The run asked its calling client for something it cannot give.

    No client (a schedule, an endpoint, `bifrost-mcp run`), or one without the capability (elicitation, sampling).
    """


class NoExecutionContextError(BifrostError, RuntimeError):
    """An SDK call that needs a running workflow was made outside one."""


# Errors of the ai capability. Every message says what to do and never contains an API key.
class AIError(BifrostError):
    """A language model call failed."""


class AIAuthenticationError(AIError):
    """The provider rejected the API key (401)."""


class AIRateLimitError(AIError):
    """The provider's rate limit was reached (429); `retry_after` is in seconds when the provider said so."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AIContextLengthError(AIError):
    """The prompt does not fit the model's context window."""


class AITimeoutError(AIError, TimeoutError):
    """The provider did not answer in time."""


class AIProviderError(AIError):
    """The provider failed: a server error after retries, an unreachable server, or a malformed response."""


class StructuredOutputError(AIError, ValidationError):
    """The model's reply did not match `response_format`, even after one repair round trip."""

    def __init__(self, message: str, *, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors


__all__ = [
    "AIAuthenticationError",
    "AIContextLengthError",
    "AIError",
    "AIProviderError",
    "AIRateLimitError",
    "AITimeoutError",
    "AccessDenied",
    "BifrostError",
    "ClientUnavailableError",
    "ConfigurationError",
    "IntegrationError",
    "NoExecutionContextError",
    "NotAvailableError",
    "NotFoundError",
    "StructuredOutputError",
    "UserError",
    "ValidationError",
    "WorkflowError",
]
