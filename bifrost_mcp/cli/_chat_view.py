"""How a chat turn looks in the terminal: the answer streamed as the model writes it, each tool step on its own line."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.text import Text

from bifrost_mcp.agents.chat import ChatTurn
from bifrost_mcp.agents.events import (
    AgentEvent,
    ApprovalDecided,
    ApprovalRequested,
    StepLimit,
    TextDelta,
    ToolFinished,
    ToolStarted,
)

ARGUMENTS_CHARS = 200


class TurnPrinter:
    """An `on_event` for Chat.turn that prints as events arrive, so a long answer shows while it is written."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._names: dict[str, str] = {}  # ToolFinished carries only the call id
        self._mid_line = False

    async def __call__(self, event: AgentEvent) -> None:
        if isinstance(event, TextDelta):
            # markup and highlighting off: the model's text is shown as written, "[bold]" included
            self.console.print(event.text, end="", markup=False, highlight=False, soft_wrap=True)
            self._mid_line = not event.text.endswith("\n")
        elif isinstance(event, ToolStarted):
            self._names[event.call_id] = event.name
            self._line(Text(f"→ {event.name} {_arguments(event.arguments)}", style="cyan"))
        elif isinstance(event, ToolFinished):
            name = self._names.get(event.call_id, event.call_id)
            status = "error" if event.outcome.is_error else "ok"
            execution = f" execution {event.outcome.execution_id}" if event.outcome.execution_id else ""
            summary = f": {_short(event.outcome.text)}" if event.outcome.is_error else ""
            self._line(Text(f"← {name} {status}{execution}{summary}", style="red" if status == "error" else "green"))
        elif isinstance(event, ApprovalRequested):
            self._names[event.call_id] = event.name
            self._line(Text(f"? {event.name} {_arguments(event.arguments)} waits for your approval", style="yellow"))
        elif isinstance(event, ApprovalDecided):
            self._line(
                Text(f"{event.decision}: {event.name}", style="green" if event.decision == "approved" else "red")
            )
        elif isinstance(event, StepLimit):
            self._line(Text(f"(stopped after {event.max_steps} steps)", style="yellow"))

    def finish(self) -> None:
        """End the turn's output on a line of its own."""
        if self._mid_line:
            self.console.print()
            self._mid_line = False

    def _line(self, text: Text) -> None:
        self.finish()  # a step interrupting streamed text starts on a fresh line
        self.console.print(text, soft_wrap=True)


def turn_json(turn: ChatTurn) -> dict[str, Any]:
    """The turn as scripts read it with --json."""
    return {
        "conversation_id": turn.conversation_id,
        "agent": turn.agent,
        "answer": turn.text,
        "steps": [
            {"tool_call_id": call_id, "execution_id": o.execution_id, "is_error": o.is_error, "text": o.text}
            for call_id, o in turn.steps.items()
        ],
        "usage": {"input_tokens": turn.input_tokens, "output_tokens": turn.output_tokens},
        "step_limit_reached": turn.step_limit_reached,
        "pending_approvals": [
            {"tool_call_id": p.call_id, "name": p.name, "arguments": p.arguments} for p in turn.pending
        ],
    }


def _arguments(arguments: dict[str, Any]) -> str:
    return _short(json.dumps(arguments, ensure_ascii=False, default=str))


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= ARGUMENTS_CHARS else flat[: ARGUMENTS_CHARS - 1] + "…"
