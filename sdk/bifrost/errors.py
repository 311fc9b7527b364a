"""Errors a workflow raises or receives. One base, few leaves; each message says the fix."""

from __future__ import annotations


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


class NotAvailableError(BifrostError, NotImplementedError):
    """An SDK capability this host does not provide (yet)."""


class NoExecutionContextError(BifrostError, RuntimeError):
    """An SDK call that needs a running workflow was made outside one."""


__all__ = [
    "BifrostError",
    "ConfigurationError",
    "IntegrationError",
    "NoExecutionContextError",
    "NotAvailableError",
    "UserError",
    "ValidationError",
    "WorkflowError",
]
