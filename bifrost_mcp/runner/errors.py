"""Turning argument validation errors and workflow exceptions into messages a model can act on.

Stated once in `bifrost_mcp.isolation.results`, which worker processes share with the host.
"""

from __future__ import annotations

from typing import Any

from bifrost.errors import ValidationError
from bifrost_mcp.isolation.results import (
    describe_exception,
    describe_validation_error,
    invalid_arguments,
    is_user_error,
)


class InvalidArguments(ValidationError):
    """A call's arguments do not fit its workflow; `problems` has one "field: what is wrong" each."""

    def __init__(self, name: str, problems: list[str]) -> None:
        super().__init__(invalid_arguments(name, problems))
        self.problems = problems


def is_soft_failure(result: Any) -> bool:
    """`{"success": False, ...}` returned by a workflow means CompletedWithErrors."""
    return isinstance(result, dict) and result.get("success") is False


__all__ = [
    "InvalidArguments",
    "describe_exception",
    "describe_validation_error",
    "invalid_arguments",
    "is_soft_failure",
    "is_user_error",
]
