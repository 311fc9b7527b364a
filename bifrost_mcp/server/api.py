"""What the HTTP APIs beside /mcp share: the same bearer gate, the caller, JSON errors, a cancellable stream.

Each API route is a plain Starlette endpoint wrapped in `BearerGate`, so a token is refused (401/403, with
WWW-Authenticate) exactly as /mcp refuses it, and the endpoint reads the verified Caller from the scope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from bifrost.errors import AccessDenied, NotFoundError, ValidationError
from bifrost_mcp.agents.chat import Chat, StartedTurn
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.matching import conversation_continued
from bifrost_mcp.conversations.records import AssistantMessage, Conversation, UserMessage
from bifrost_mcp.conversations.view import ConversationsView
from bifrost_mcp.server.auth import CALLER_SCOPE_KEY, BearerGate

Endpoint = Callable[[Request], Awaitable[Response]]
# Writes one chunk of a streamed body; the stream's producer gets it.
Write = Callable[[str], Awaitable[None]]


def gated(app: App, endpoint: Endpoint, resource_metadata_url: str | None) -> ASGIApp:
    """`endpoint` behind the bearer gate /mcp has, with the same resource-metadata URL in its challenges."""
    return BearerGate(app.host.callers, request_response(endpoint), resource_metadata_url)


def caller_of(request: Request) -> Caller:
    caller = request.scope.get(CALLER_SCOPE_KEY)
    if not isinstance(caller, Caller):
        # Unreachable behind BearerGate; refuse rather than guess an identity.
        raise AccessDenied("request reached the API without an authenticated caller")
    return caller


def error(status: int, code: str, description: str) -> JSONResponse:
    """An error body shaped like the gate's own (`error`, `error_description`)."""
    return JSONResponse({"error": code, "error_description": description}, status_code=status)


class Refused(Exception):
    """A turn answered before it starts, with an HTTP status (each API shapes the body its own way)."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


async def start_turn(
    chat: Chat,
    caller: Caller,
    agent_name: str,
    text: str,
    conversation_id: str | None,
    *,
    history: Sequence[UserMessage | AssistantMessage] = (),
) -> StartedTurn:
    """Start a turn (`Chat.start`: its checks, its message stored) before the response starts; Refused if not.

    A streamed response has said 200 by the time the turn answers, so what a client can get wrong is answered
    here with a status: an unknown or hidden agent (404), an empty message (400), an unknown or someone else's
    conversation (404), another user's that a platform admin may read (403), one with another agent (400).
    `history`: the messages a client resent before `text`. Without a conversation id they name the caller's
    conversation to continue (`conversations.matching`); when none matches, the new conversation starts
    with them, so that the model reads them and the transcript shows them.
    """
    app = chat.app
    agent = app.find_agent(caller, agent_name)
    if agent is None:  # a hidden agent answers exactly like an unknown one, as Chat.turn does
        raise Refused(404, "agent_not_found", f"no agent named {agent_name!r}; see the agents you may use")
    if not text.strip():
        raise Refused(400, "empty_message", "say something: the last user message is empty")
    continuing: Conversation | None = None
    if not conversation_id:
        user_texts = [message.text for message in history if isinstance(message, UserMessage)]
        continuing = await conversation_continued(
            ConversationsView(app.host.conversations, caller), agent.name, user_texts
        )
    seed = history if not conversation_id and continuing is None else ()
    try:
        return await chat.start(
            caller, agent.name, text, conversation_id=conversation_id or None, continuing=continuing, seed=seed
        )
    except NotFoundError as exc:  # someone else's conversation reads exactly like an unknown one
        raise Refused(404, "conversation_not_found", str(exc)) from None
    except AccessDenied as exc:  # a platform admin reads another user's conversation; only its owner writes
        raise Refused(403, "forbidden", str(exc)) from None
    except ValidationError as exc:  # a conversation with another agent
        raise Refused(400, "invalid_request", str(exc)) from None


class EventStream(Response):
    """A `text/event-stream` response whose body `produce` writes while it runs.

    `produce` runs inside the response, in a task group that a client's disconnect cancels, so a chat turn
    whose reader went away stops at once (its running tools are recorded Cancelled) instead of running to
    the end for nobody. Starlette's StreamingResponse notices a disconnect only on its next write under
    ASGI 2.4, which a long tool call may not make for minutes.
    """

    media_type = "text/event-stream"

    def __init__(self, produce: Callable[[Write], Awaitable[None]], headers: dict[str, str] | None = None) -> None:
        super().__init__(
            headers={"cache-control": "no-cache", "x-accel-buffering": "no", **(headers or {})},
            media_type=self.media_type,
        )
        self.produce = produce

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
        gone = False

        async def write(chunk: str) -> None:
            await send({"type": "http.response.body", "body": chunk.encode(), "more_body": True})

        async with anyio.create_task_group() as tasks:

            async def watch() -> None:
                nonlocal gone
                # the request body was read by the endpoint: what comes now is the disconnect
                while (await receive())["type"] != "http.disconnect":
                    pass
                gone = True
                tasks.cancel_scope.cancel()

            tasks.start_soon(watch)
            await self.produce(write)
            tasks.cancel_scope.cancel()
        if not gone:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
