"""Keeping a request inside the context budget by leaving the oldest turns of the history out.

The drop strategy: the history is cut into turns, each starting at a user message (messages before the first
user message form a turn of their own). While the request is longer than the budget, the oldest turn is
dropped whole, so a tool call is never separated from its result. The system prompt, system messages of the
history and the latest turn (the one holding the latest user message) are always kept, even over budget.
Size is measured in characters of content, tool names and JSON arguments: cheap, provider-neutral, and close
enough to tokens (~4 characters each) for a margin set well below the model's window.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from bifrost.llm import ChatMessage

# About 50k tokens: inside every supported model's window, with room for tool definitions and the reply.
DEFAULT_CONTEXT_BUDGET_CHARS = 200_000


def message_chars(message: ChatMessage) -> int:
    calls = sum(len(c.name) + len(json.dumps(c.arguments, default=str)) for c in message.tool_calls)
    return len(message.content) + calls


def _turns(messages: Sequence[ChatMessage]) -> list[list[ChatMessage]]:
    turns: list[list[ChatMessage]] = []
    for message in messages:
        if message.role == "user" or not turns:
            turns.append([])
        turns[-1].append(message)
    return turns


def fit(system: str | None, history: Sequence[ChatMessage], budget_chars: int) -> tuple[list[ChatMessage], int]:
    """(the messages to send, how many of `history` were dropped) under the drop strategy above."""
    pinned = [m for m in history if m.role == "system"]
    turns = _turns([m for m in history if m.role != "system"])
    size = len(system or "") + sum(message_chars(m) for m in history)
    dropped = 0
    while len(turns) > 1 and size > budget_chars:
        oldest = turns.pop(0)
        size -= sum(message_chars(m) for m in oldest)
        dropped += len(oldest)
    return pinned + [m for turn in turns for m in turn], dropped
