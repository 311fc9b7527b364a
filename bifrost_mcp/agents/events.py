"""What a turn of the agent loop reports while it runs, for a chat endpoint to stream to its client.

In order: TextDelta as the model writes; ToolStarted for each call of a step, then ToolFinished as each call
ends (calls of one step run concurrently, so finishes may come in any order); Usage after each model call;
StepLimit when the turn stopped at max_steps. HistoryTrimmed comes first when old turns were left out.
ApprovalRequested, instead of ToolStarted, for a call that waits for the person's approval (the turn then
ends with that call pending); ApprovalDecided when a decision on it arrives, before the call runs (approved)
or is answered as not run (denied, unanswered).
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


@dataclass(frozen=True, slots=True)
class ApprovalRequested:
    """The model asked for a tool that runs only once the person approves these exact arguments."""

    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ApprovalDecided:
    call_id: str
    name: str
    decision: str  # approved, denied or unanswered


AgentEvent = (
    TextDelta | ToolStarted | ToolFinished | Usage | StepLimit | HistoryTrimmed | ApprovalRequested | ApprovalDecided
)
OnEvent = Callable[[AgentEvent], Awaitable[None]]
