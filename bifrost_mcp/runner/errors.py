"""Turning argument validation errors and workflow exceptions into messages a model can act on."""

from __future__ import annotations

from typing import Any

import pydantic

from bifrost.errors import AccessDenied, NotFoundError, UserError

# The spec documents these failures by the builtin errors they extend (executions-module.md: "Raises ValueError
# if not found, PermissionError if access is denied"); a caller reads that name.
_SPEC_NAMES: dict[type[BaseException], str] = {AccessDenied: "PermissionError", NotFoundError: "ValueError"}


def describe_validation_error(exc: pydantic.ValidationError) -> list[str]:
    """One line per problem, naming the field: `priority: Input should be 'low', 'medium' or 'high'`."""
    problems = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(part) for part in error["loc"]) or "(arguments)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unexpected argument; remove it (see the tool's inputSchema for the accepted arguments)"
        elif error["type"] == "missing":
            message = "required argument is missing"
        problems.append(f"{location}: {message}")
    return problems


def describe_exception(exc: BaseException) -> str:
    """A UserError's message verbatim; anything else its type and message, never a traceback."""
    if isinstance(exc, UserError):
        return str(exc)
    text = str(exc).strip()
    name = _SPEC_NAMES.get(type(exc), type(exc).__name__)
    return f"{name}: {text}" if text else name


def is_soft_failure(result: Any) -> bool:
    """`{"success": False, ...}` returned by a workflow means CompletedWithErrors."""
    return isinstance(result, dict) and result.get("success") is False
