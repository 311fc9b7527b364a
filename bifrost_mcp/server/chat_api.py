"""The web page's chat API in AG-UI, the open event protocol for agent front ends: one turn, streamed.

POST /api/chat takes a subset of AG-UI's RunAgentInput: `threadId` (a conversation id of the caller's, or
null for a new one), `runId`, `messages` (the last user message is the new text: the server keeps the
history) and `forwardedProps.agent` (default "assistant"). An unknown or hidden agent, an unknown or someone
else's thread and an empty message are answered before the stream starts (404, 404, 400); everything after
is `text/event-stream`: RUN_STARTED, TEXT_MESSAGE_START/CONTENT/END, TOOL_CALL_START/ARGS/END,
TOOL_CALL_RESULT then CUSTOM "bifrost.tool_step" {toolCallId, executionId, isError}, and at the end CUSTOM
"bifrost.usage" {inputTokens, outputTokens, stepLimitReached} then RUN_FINISHED (with AG-UI's usage), or
RUN_ERROR {message}. A client that disconnects cancels the turn.

A turn that ends on calls held for approval finishes with AG-UI's interrupt outcome (see `server.agui`); the
run that answers it sends `threadId` and `resume: [{interruptId, status, payload: {approved}}]` instead of a
message, and CUSTOM "bifrost.approval" {toolCallId, decision} reports each decision before the calls run.

GET /api/executions/{id} is the caller's view of one run (another user's answers like an unknown id), for
the page to open a tool step.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from ag_ui.core import RunErrorEvent, RunStartedEvent
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as BadBody
from pydantic.alias_generators import to_camel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bifrost.errors import AccessDenied, BifrostError, NotFoundError
from bifrost_mcp.agents.chat import Chat, ChatTurn
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.records import Decision
from bifrost_mcp.conversations.view import ConversationsView
from bifrost_mcp.executions.view import ExecutionsView
from bifrost_mcp.server.agui import Translation
from bifrost_mcp.server.api import EventStream, Refused, Write, caller_of, error, gated, start_turn

log = logging.getLogger(__name__)
DEFAULT_AGENT = "assistant"


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class InputMessage(_Camel):
    role: str
    content: str | None = None


class ResumeInput(_Camel):
    interrupt_id: str
    status: str  # resolved or cancelled
    payload: Any = None

    def decision(self) -> Decision:
        """Resolved with {"approved": true} approves; resolved otherwise denies; cancelled leaves it unanswered."""
        if self.status != "resolved":
            return "unanswered"
        approved = isinstance(self.payload, dict) and self.payload.get("approved") is True
        return "approved" if approved else "denied"


class ChatInput(_Camel):
    thread_id: str | None = None
    run_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    messages: list[InputMessage] = Field(default_factory=list)
    forwarded_props: dict[str, Any] = Field(default_factory=dict)
    resume: list[ResumeInput] | None = None


def chat_routes(app: App, *, prefix: str = "", resource_metadata_url: str | None = None) -> list[BaseRoute]:
    chat = Chat(app)

    async def run(request: Request) -> Response:
        caller = caller_of(request)
        try:
            body = ChatInput.model_validate(await request.json())
        except (ValueError, BadBody) as exc:
            return error(400, "invalid_request", f"the body is not an AG-UI run input: {exc}")
        if body.resume:
            return await resumed(caller, body)
        agent_name = str(body.forwarded_props.get("agent") or DEFAULT_AGENT)
        text = next((m.content or "" for m in reversed(body.messages) if m.role == "user"), "")
        try:
            start = await start_turn(chat, caller, agent_name, text, body.thread_id)
        except Refused as refused:
            return error(refused.status, refused.code, refused.description)
        return stream(start.conversation_id, body.run_id, lambda on_event: chat.answer(start, on_event=on_event))

    async def resumed(caller: Caller, body: ChatInput) -> Response:
        """A run answering the interrupts of the last one: the decisions go to Chat.decide."""
        if not body.thread_id:
            return error(400, "invalid_request", "resume needs the threadId of the run that was interrupted")
        try:  # answered before the stream starts, as a new turn's mistakes are
            await ConversationsView(app.host.conversations, caller).get(body.thread_id)
        except NotFoundError as exc:
            return error(404, "conversation_not_found", str(exc))
        decisions = {entry.interrupt_id: entry.decision() for entry in body.resume or []}
        thread_id = body.thread_id
        return stream(thread_id, body.run_id, lambda on_event: chat.decide(
            caller, thread_id, decisions, on_event=on_event
        ))  # fmt: skip

    def stream(thread_id: str, run_id: str, turn: Callable[[Translation], Awaitable[ChatTurn]]) -> Response:
        async def produce(write: Write) -> None:
            translate = Translation(write)
            await translate.emit(RunStartedEvent(thread_id=thread_id, run_id=run_id))
            try:
                answered = await turn(translate)
            except BifrostError as exc:  # ours say what to do (no model configured, nothing waits, ...)
                await translate.end_text()
                await translate.emit(RunErrorEvent(message=str(exc)))
                return
            except Exception:
                log.exception("chat turn in conversation %s failed", thread_id)
                await translate.end_text()
                await translate.emit(RunErrorEvent(message="the turn failed unexpectedly; the server log says why"))
                return
            await translate.finish(thread_id, run_id, answered)

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
