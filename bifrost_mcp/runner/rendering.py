"""An outcome as text for a model to read: shared by MCP tool results and the agent loop's tool messages."""

from __future__ import annotations

import json
from typing import Any

from bifrost.content import Audio, File, Image, from_json, is_content
from bifrost_mcp.runner.runner import RunOutcome


def render_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if has_content(value):  # a model reads what the content is, not kilobytes of base64
        return "\n".join(_item_text(item) for item in (value if isinstance(value, list) else [value]))
    return json.dumps(value, ensure_ascii=False, default=str)


def has_content(value: Any) -> bool:
    """Whether a result is content (an image, audio, a file) or a list holding some: not plain data."""
    return is_content(value) or (isinstance(value, list) and any(is_content(item) for item in value))


def content_text(item: Image | Audio | File) -> str:
    """One content item as a line of text: "[image/png, 12,345 bytes]"; a text file's text after its URI."""
    if isinstance(item, File):
        if item.text is not None:
            return f"[{item.mime_type} {item.uri}]\n{item.text}"
        assert item.data is not None
        return f"[{item.mime_type} {item.uri}, {len(item.data):,} bytes]"
    return f"[{item.mime_type}, {len(item.data):,} bytes]"


def _item_text(item: Any) -> str:
    content = from_json(item)
    if content is not None:
        return content_text(content)
    return item if isinstance(item, str) else json.dumps(item, ensure_ascii=False, default=str)


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
