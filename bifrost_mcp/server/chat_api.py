"""The web page's chat API in AG-UI, the open event protocol for agent front ends: one turn, streamed.

POST /api/chat takes a subset of AG-UI's RunAgentInput: `threadId` (a conversation id of the caller's, or
null for a new one), `runId`, `messages` (the last user message is the new text: the server keeps the
history) and `forwardedProps.agent` (default "assistant"). An unknown or hidden agent, an unknown or someone
else's thread and an empty message are answered before the stream starts (404, 404, 400); everything after
is `text/event-stream`: RUN_STARTED, TEXT_MESSAGE_START/CONTENT/END, TOOL_CALL_START/ARGS/END,
TOOL_CALL_RESULT then CUSTOM "bifrost.tool_step" {toolCallId, executionId, isError}, and at the end CUSTOM
"bifrost.usage" {inputTokens, outputTokens, stepLimitReached} then RUN_FINISHED, or RUN_ERROR {message}.
A client that disconnects cancels the turn.

GET /api/executions/{id} is the caller's view of one run (another user's answers like an unknown id), for
the page to open a tool step.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from ag_ui.core import (
    BaseEvent,
    CustomEvent,
    RunErrorEvent,
    RunFinishedEvent,
    RunStartedEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
    ToolCallArgsEvent,
    ToolCallEndEvent,
    ToolCallResultEvent,
    ToolCallStartEvent,
)
from ag_ui.encoder import EventEncoder
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as BadBody
from pydantic.alias_generators import to_camel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bifrost.errors import AccessDenied, BifrostError, NotFoundError
from bifrost_mcp.agents.chat import Chat
from bifrost_mcp.agents.events import AgentEvent, TextDelta, ToolFinished, ToolStarted
from bifrost_mcp.app import App
from bifrost_mcp.executions.view import ExecutionsView
from bifrost_mcp.server.api import EventStream, Refused, Write, caller_of, error, gated, start_turn

log = logging.getLogger(__name__)
DEFAULT_AGENT = "assistant"
TOOL_STEP = "bifrost.tool_step"
USAGE = "bifrost.usage"


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class InputMessage(_Camel):
    role: str
    content: str | None = None


class ChatInput(_Camel):
    thread_id: str | None = None
    run_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    messages: list[InputMessage]
    forwarded_props: dict[str, Any] = Field(default_factory=dict)


class Translation:
    """The agent loop's events as AG-UI events: text between tool calls is one message per stretch."""

    def __init__(self, write: Write) -> None:
        self.write = write
        self.encoder = EventEncoder()
        self.message_id: str | None = None

    async def emit(self, event: BaseEvent) -> None:
        await self.write(self.encoder.encode(event))

    async def end_text(self) -> None:
        if self.message_id is not None:
            await self.emit(TextMessageEndEvent(message_id=self.message_id))
            self.message_id = None

    async def __call__(self, event: AgentEvent) -> None:
        if isinstance(event, TextDelta) and event.text:
            if self.message_id is None:
                self.message_id = uuid.uuid4().hex
                await self.emit(TextMessageStartEvent(message_id=self.message_id, role="assistant"))
            await self.emit(TextMessageContentEvent(message_id=self.message_id, delta=event.text))
        elif isinstance(event, ToolStarted):
            await self.end_text()
            await self.emit(ToolCallStartEvent(tool_call_id=event.call_id, tool_call_name=event.name))
            await self.emit(ToolCallArgsEvent(tool_call_id=event.call_id, delta=json.dumps(event.arguments)))
            await self.emit(ToolCallEndEvent(tool_call_id=event.call_id))
        elif isinstance(event, ToolFinished):
            outcome = event.outcome
            await self.emit(
                ToolCallResultEvent(
                    message_id=uuid.uuid4().hex, tool_call_id=event.call_id, content=outcome.text, role="tool"
                )
            )
            step = {"toolCallId": event.call_id, "executionId": outcome.execution_id, "isError": outcome.is_error}
            await self.emit(CustomEvent(name=TOOL_STEP, value=step))


def chat_routes(app: App, *, prefix: str = "", resource_metadata_url: str | None = None) -> list[BaseRoute]:
    chat = Chat(app)

    async def run(request: Request) -> Response:
        caller = caller_of(request)
        try:
            body = ChatInput.model_validate(await request.json())
        except (ValueError, BadBody) as exc:
            return error(400, "invalid_request", f"the body is not an AG-UI run input: {exc}")
        agent_name = str(body.forwarded_props.get("agent") or DEFAULT_AGENT)
        text = next((m.content or "" for m in reversed(body.messages) if m.role == "user"), "")
        try:
            start = await start_turn(app, caller, agent_name, text, body.thread_id)
        except Refused as refused:
            return error(refused.status, refused.code, refused.description)
        thread_id = start.conversation_id

        async def produce(write: Write) -> None:
            translate = Translation(write)
            await translate.emit(RunStartedEvent(thread_id=thread_id, run_id=body.run_id))
            try:
                turn = await chat.turn(caller, start.agent, text, conversation_id=thread_id, on_event=translate)
            except BifrostError as exc:  # ours say what to do (no model configured, wrong agent, ...)
                await translate.end_text()
                await translate.emit(RunErrorEvent(message=str(exc)))
                return
            except Exception:
                log.exception("chat turn in conversation %s failed", thread_id)
                await translate.end_text()
                await translate.emit(RunErrorEvent(message="the turn failed unexpectedly; the server log says why"))
                return
            await translate.end_text()
            usage = {
                "inputTokens": turn.input_tokens,
                "outputTokens": turn.output_tokens,
                "stepLimitReached": turn.step_limit_reached,
            }
            await translate.emit(CustomEvent(name=USAGE, value=usage))
            await translate.emit(RunFinishedEvent(thread_id=thread_id, run_id=body.run_id))

        return EventStream(produce)

    async def execution(request: Request) -> Response:
        execution_id = request.path_params["execution_id"]
        try:
            record = await ExecutionsView(app.host.executions, caller_of(request)).get(execution_id)
        except (NotFoundError, AccessDenied):  # another user's run reads exactly like an unknown one
            return error(404, "not_found", f"execution {execution_id!r} not found")
        return JSONResponse(record.model_dump(mode="json"))

    executions = f"{prefix}/api/executions/{{execution_id}}"
    return [
        Route(f"{prefix}/api/chat", gated(app, run, resource_metadata_url), methods=["POST"]),
        Route(executions, gated(app, execution, resource_metadata_url), methods=["GET"]),
    ]
