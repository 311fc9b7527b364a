"""What a turn of the agent loop reports while it runs, for a chat endpoint to stream to its client.

In order: TextDelta as the model writes; ToolStarted for each call of a step, then ToolFinished as each call
ends (calls of one step run concurrently, so finishes may come in any order); Usage after each model call;
StepLimit when the turn stopped at max_steps. HistoryTrimmed comes first when old turns were left out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bifrost_mcp.agents.tools import ToolOutcome


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolStarted:
    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolFinished:
    call_id: str
    outcome: ToolOutcome


@dataclass(frozen=True, slots=True)
class Usage:
    """One model call's tokens (0 when the provider did not report them)."""

    input_tokens: int
    output_tokens: int
    model: str


@dataclass(frozen=True, slots=True)
class StepLimit:
    max_steps: int


@dataclass(frozen=True, slots=True)
class HistoryTrimmed:
    """The oldest `dropped` messages of the history were left out of the request to fit the context budget."""

    dropped: int


AgentEvent = TextDelta | ToolStarted | ToolFinished | Usage | StepLimit | HistoryTrimmed
OnEvent = Callable[[AgentEvent], Awaitable[None]]
