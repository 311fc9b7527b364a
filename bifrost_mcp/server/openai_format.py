"""What /v1 answers in OpenAI's shapes: errors, usage, finish reasons, and a turn's events as chat text."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import JSONResponse

from bifrost.errors import AccessDenied, BifrostError, NotFoundError, ValidationError
from bifrost_mcp.agents.approvals import prompt
from bifrost_mcp.agents.chat import ChatTurn
from bifrost_mcp.agents.events import AgentEvent, ApprovalDecided, TextDelta, ToolFinished, ToolStarted


def openai_error(status: int, message: str, code: str | None = None, *, param: str | None = None) -> JSONResponse:
    kind = "invalid_request_error" if status < 500 else "server_error"
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status_code=status)


def status_of(exc: BifrostError) -> int:
    for kind, status in ((NotFoundError, 404), (AccessDenied, 403), (ValidationError, 400)):
        if isinstance(exc, kind):
            return status
    return 502  # no model configured, or the provider failed: what this gateway stands in front of


def usage(turn: ChatTurn) -> dict[str, int]:
    tokens = {"prompt_tokens": turn.input_tokens, "completion_tokens": turn.output_tokens}
    return {**tokens, "total_tokens": turn.input_tokens + turn.output_tokens}


def finish_reason(turn: ChatTurn) -> str:
    return "length" if turn.step_limit_reached else "stop"


def closing(turn: ChatTurn) -> str:
    """What follows the answer: for calls held for approval, each exactly and how to decide (the next message)."""
    return f"\n\n{prompt(turn.pending)}" if turn.pending else ""


class Readable:
    """A turn's events as the text a chat client shows: the model's words, a line per tool step and decision.

    With `forward`, each piece goes on as it comes (a stream); without, the pieces are kept for `text()`.
    """

    def __init__(self, forward: Callable[[str], Awaitable[None]] | None) -> None:
        self.forward = forward
        self.names: dict[str, str] = {}  # call id -> tool name, for the line when the call finishes
        self.pieces: list[str] = []
        self.started = False

    async def __call__(self, event: AgentEvent) -> None:
        piece = self.piece(event)
        if not self.started:  # a step line that opens the answer starts no blank line
            piece = piece.lstrip("\n")
        if not piece:
            return
        self.started = True
        if self.forward is None:
            self.pieces.append(piece)
        else:
            await self.forward(piece)

    def piece(self, event: AgentEvent) -> str:
        if isinstance(event, TextDelta):
            return event.text
        if isinstance(event, ToolStarted):
            self.names[event.call_id] = event.name
        elif isinstance(event, ToolFinished):
            state = "failed" if event.outcome.is_error else "completed"
            name = self.names.get(event.call_id, event.call_id)
            return f"\n[tool {name} → {state}, execution {event.outcome.execution_id}]\n"
        elif isinstance(event, ApprovalDecided):
            self.names[event.call_id] = event.name
            return f"\n[{event.decision}: {event.name}]\n"
        return ""

    def text(self) -> str:
        return "".join(self.pieces)


class Completion:
    """One answer's frames: the whole chat.completion, or its chat.completion.chunk events."""

    def __init__(self, completion_id: str, created: int, agent: str) -> None:
        self.frame = {"id": completion_id, "created": created, "model": agent}

    def whole(self, content: str, turn: ChatTurn) -> dict[str, Any]:
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": finish_reason(turn),
        }
        return {**self.frame, "object": "chat.completion", "choices": [choice], "usage": usage(turn)}

    def chunk(self, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choices = [{"index": 0, "delta": delta, "finish_reason": finish}] if delta or finish else []
        return f"data: {json.dumps({**self.frame, 'object': 'chat.completion.chunk', 'choices': choices, **extra})}\n\n"
