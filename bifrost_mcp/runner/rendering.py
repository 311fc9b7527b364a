"""An outcome as text for a model to read: shared by MCP tool results and the agent loop's tool messages."""

from __future__ import annotations

import json
from typing import Any

from bifrost_mcp.runner.runner import RunOutcome


def render_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def failure_text(outcome: RunOutcome) -> str:
    """A failed run's message with its execution id, so a model (or a person) can act on it and look it up."""
    return f"{outcome.message} (execution {outcome.execution_id})"


def soft_failure(value: Any) -> str | None:
    """The error of a workflow that returned {"success": False, ...}; None for any other value."""
    if isinstance(value, dict) and value.get("success") is False:
        return str(value.get("error") or "success is false")
    return None


def soft_failure_text(error: str, outcome: RunOutcome) -> str:
    return f"The workflow reported failure: {error} (execution {outcome.execution_id})"


def outcome_text(outcome: RunOutcome) -> tuple[str, bool]:
    """(text, is_error): the redacted value, or the failure a model can repair; both name the execution."""
    if outcome.message is not None:
        return failure_text(outcome), True
    text = render_text(outcome.value)
    error = soft_failure(outcome.value)
    if error is not None:
        return soft_failure_text(error, outcome) + "\n" + text, True
    return text, False
