"""An OpenAI-compatible API under /v1, for any Chat Completions client: each agent is a "model".

GET /v1/models lists the agents the token may chat with. POST /v1/chat/completions with `model=<agent>`
runs one turn server-side (Chat.turn: the agent's tools run as the token's user, every step recorded) and
answers as a chat.completion, or with `stream: true` as chat.completion.chunk events ending `data: [DONE]`.

Conversations are kept by the server, not by the client's `messages`: only the last user message is read.
A request without the `X-Bifrost-Conversation` header starts a new conversation; every response carries
that header with the conversation's id, and sending it back continues that conversation (one of the
caller's own: anyone else's answers like an unknown id, 404). Tool steps appear in the answer's text as
"[tool NAME → completed|failed, execution ID]" on a line of its own, so a plain chat client shows what ran.
A turn that ends on calls held for approval ends its text with each call exactly and 'Reply "approve" ... or
"deny"': the next user message of the conversation decides ("approve"/"deny", yes/no; anything else leaves
the calls unanswered, and they never run).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bifrost.errors import AccessDenied, BifrostError, NotFoundError, ValidationError
from bifrost_mcp.agents.approvals import prompt
from bifrost_mcp.agents.chat import Chat, ChatTurn
from bifrost_mcp.agents.events import AgentEvent, ApprovalDecided, TextDelta, ToolFinished, ToolStarted
from bifrost_mcp.app import App
from bifrost_mcp.server.api import EventStream, Refused, Write, caller_of, gated, start_turn

log = logging.getLogger(__name__)
CONVERSATION_HEADER = "X-Bifrost-Conversation"


def openai_error(status: int, message: str, code: str | None = None) -> JSONResponse:
    kind = "invalid_request_error" if status < 500 else "server_error"
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status)


def status_of(exc: BifrostError) -> int:
    for kind, status in ((NotFoundError, 404), (AccessDenied, 403), (ValidationError, 400)):
        if isinstance(exc, kind):
            return status
    return 502  # no model configured, or the provider failed: what this gateway stands in front of


def readable(names: dict[str, str], event: AgentEvent) -> str:
    """The text a chat client shows for `event`: the model's words, and one line per finished tool step."""
    if isinstance(event, TextDelta):
        return event.text
    if isinstance(event, ToolStarted):
        names[event.call_id] = event.name
        return ""
    if isinstance(event, ToolFinished):
        state = "failed" if event.outcome.is_error else "completed"
        name = names.get(event.call_id, event.call_id)
        return f"\n[tool {name} → {state}, execution {event.outcome.execution_id}]\n"
    if isinstance(event, ApprovalDecided):
        names[event.call_id] = event.name
        return f"\n[{event.decision}: {event.name}]\n"
    return ""


def closing(turn: ChatTurn) -> str:
    """What follows the answer: for calls held for approval, each exactly and how to decide (the next message)."""
    return f"\n\n{prompt(turn.pending)}" if turn.pending else ""


def usage(turn: ChatTurn) -> dict[str, int]:
    tokens = {"prompt_tokens": turn.input_tokens, "completion_tokens": turn.output_tokens}
    return {**tokens, "total_tokens": turn.input_tokens + turn.output_tokens}


def openai_routes(app: App, *, prefix: str = "", resource_metadata_url: str | None = None) -> list[BaseRoute]:
    chat = Chat(app)

    async def models(request: Request) -> Response:
        agents = sorted(app.visible_agents(caller_of(request)), key=lambda a: a.name)
        data = [{"id": a.name, "object": "model", "created": 0, "owned_by": "bifrost-mcp"} for a in agents]
        return JSONResponse({"object": "list", "data": data})

    async def completions(request: Request) -> Response:
        caller = caller_of(request)
        try:
            body = await request.json()
            model = body["model"]
            text = next((content_text(m) for m in reversed(body["messages"]) if m.get("role") == "user"), "")
        except (ValueError, KeyError, TypeError, AttributeError):
            return openai_error(400, "the body must be a chat completion request with 'model' and 'messages'")
        try:
            start = await start_turn(app, caller, str(model), text, request.headers.get(CONVERSATION_HEADER))
        except Refused as refused:
            code = "model_not_found" if refused.code == "agent_not_found" else refused.code
            return openai_error(refused.status, refused.description, code)
        header = {CONVERSATION_HEADER: start.conversation_id}
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        names: dict[str, str] = {}

        async def run(on_event: Callable[[AgentEvent], Awaitable[None]]) -> ChatTurn:
            return await chat.turn(caller, start.agent, text, conversation_id=start.conversation_id, on_event=on_event)

        if not body.get("stream"):
            pieces: list[str] = []

            async def collect(event: AgentEvent) -> None:
                pieces.append(readable(names, event))

            try:
                turn = await run(collect)
            except BifrostError as exc:
                return openai_error(status_of(exc), str(exc))
            content = ("".join(pieces).lstrip("\n") or turn.text) + closing(turn)
            message = {"role": "assistant", "content": content.lstrip("\n")}
            choice = {"index": 0, "message": message, "finish_reason": finish_reason(turn)}
            completion = {"id": completion_id, "object": "chat.completion", "created": created, "model": start.agent}
            return JSONResponse({**completion, "choices": [choice], "usage": usage(turn)}, headers=header)

        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        async def produce(write: Write) -> None:
            async def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> None:
                choices = [{"index": 0, "delta": delta, "finish_reason": finish}] if delta or finish else []
                frame = {"id": completion_id, "object": "chat.completion.chunk", "created": created}
                await write(f"data: {json.dumps({**frame, 'model': start.agent, 'choices': choices, **extra})}\n\n")

            started = False

            async def forward(event: AgentEvent) -> None:
                nonlocal started
                # as in the whole answer: a step line that opens it starts no blank line
                if piece := readable(names, event) if started else readable(names, event).lstrip("\n"):
                    started = True
                    await chunk({"content": piece})

            await chunk({"role": "assistant", "content": ""})
            try:
                turn = await run(forward)
            except BifrostError as exc:  # the SDKs raise an APIError for an `error` event mid-stream
                await write(f"data: {json.dumps({'error': {'message': str(exc), 'type': 'server_error'}})}\n\n")
            except Exception:
                log.exception("chat completion in conversation %s failed", start.conversation_id)
                await write('data: {"error": {"message": "the turn failed unexpectedly", "type": "server_error"}}\n\n')
            else:
                if turn.pending:
                    await chunk({"content": closing(turn)})
                await chunk({}, finish_reason(turn))
                if include_usage:
                    await chunk({}, usage=usage(turn))
            await write("data: [DONE]\n\n")

        return EventStream(produce, headers=header)

    return [
        Route(f"{prefix}/v1/models", gated(app, models, resource_metadata_url), methods=["GET"]),
        Route(f"{prefix}/v1/chat/completions", gated(app, completions, resource_metadata_url), methods=["POST"]),
    ]


def content_text(message: dict[str, Any]) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return content if isinstance(content, str) else ""


def finish_reason(turn: ChatTurn) -> str:
    return "length" if turn.step_limit_reached else "stop"
