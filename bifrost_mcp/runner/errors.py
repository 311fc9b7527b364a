"""Turning argument validation errors and workflow exceptions into messages a model can act on.

Stated once in `bifrost_mcp.isolation.results`, which worker processes share with the host.
"""

from __future__ import annotations

from typing import Any

from bifrost_mcp.isolation.results import (
    describe_exception,
    describe_validation_error,
    invalid_arguments,
    is_user_error,
)


def is_soft_failure(result: Any) -> bool:
    """`{"success": False, ...}` returned by a workflow means CompletedWithErrors."""
    return isinstance(result, dict) and result.get("success") is False


__all__ = ["describe_exception", "describe_validation_error", "invalid_arguments", "is_soft_failure", "is_user_error"]
