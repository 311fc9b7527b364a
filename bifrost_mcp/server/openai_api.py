"""An OpenAI-compatible API under /v1, for any Chat Completions client: each agent is a "model".

GET /v1/models lists the agents the token may chat with. POST /v1/chat/completions with `model=<agent>`
runs one turn server-side (Chat.turn: the agent's tools run as the token's user, every step recorded) and
answers as a chat.completion, or with `stream: true` as chat.completion.chunk events ending `data: [DONE]`.

The server keeps the conversation, and finds it the way chat clients talk: they resend the whole history
with every request (`server.openai_request` reads it; system messages are set aside, the agent's own
instructions stay its system prompt). The last message is the new turn. Before it:
- the `X-Bifrost-Conversation` header, when sent, names the conversation to continue: one of the caller's
  own (anyone else's answers like an unknown id, 404); the history is then not read;
- otherwise the caller's most recent conversation with that agent whose user messages equal the client's
  earlier user messages, in order, continues (`conversations.matching`: never another user's);
- otherwise a new conversation starts, seeded with the client's earlier user and assistant messages, so the
  model reads them and `bifrost-mcp conversations show` shows them. A first message starts a new one.
Every response carries the conversation's id in that header. Tool steps appear in the answer's text as
"[tool NAME → completed|failed, execution ID]" on a line of its own, so a plain chat client shows what ran.
A turn that ends on calls held for approval ends its text with each call exactly and 'Reply "approve" ... or
"deny"': the next user message of the conversation decides ("approve"/"deny", yes/no; anything else leaves
the calls unanswered, and they never run).
A request the API cannot honour in full is a 400 in OpenAI's error shape, before anything is stored.
"""

from __future__ import annotations

import json
import logging
import time
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bifrost.errors import BifrostError
from bifrost_mcp.agents.chat import Chat, ChatTurn
from bifrost_mcp.app import App
from bifrost_mcp.server.api import EventStream, Refused, Write, caller_of, gated, start_turn
from bifrost_mcp.server.openai_format import (
    Completion,
    Readable,
    closing,
    finish_reason,
    openai_error,
    status_of,
    usage,
)
from bifrost_mcp.server.openai_request import InvalidRequest, parse_completion

log = logging.getLogger(__name__)
CONVERSATION_HEADER = "X-Bifrost-Conversation"


def openai_routes(app: App, *, prefix: str = "", resource_metadata_url: str | None = None) -> list[BaseRoute]:
    chat = Chat(app)

    async def models(request: Request) -> Response:
        agents = sorted(app.visible_agents(caller_of(request)), key=lambda a: a.name)
        data = [{"id": a.name, "object": "model", "created": 0, "owned_by": "bifrost-mcp"} for a in agents]
        return JSONResponse({"object": "list", "data": data})

    async def completions(request: Request) -> Response:
        caller = caller_of(request)
        try:
            body = parse_completion(await request.json())
        except ValueError:
            return openai_error(400, "the body is not JSON: send a chat completion request with 'model' and 'messages'")
        except InvalidRequest as invalid:
            return openai_error(400, invalid.message, param=invalid.param)
        header = request.headers.get(CONVERSATION_HEADER)
        try:
            start = await start_turn(chat, caller, body.model, body.text, header, history=body.history)
        except Refused as refused:
            code = "model_not_found" if refused.code == "agent_not_found" else refused.code
            return openai_error(refused.status, refused.description, code)
        completion = Completion(f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), start.agent)

        async def run(on_event: Readable) -> ChatTurn:
            return await chat.answer(start, on_event=on_event)

        headers = {CONVERSATION_HEADER: start.conversation_id}
        if not body.stream:
            readable = Readable(None)
            try:
                turn = await run(readable)
            except BifrostError as exc:
                return openai_error(status_of(exc), str(exc))
            content = ((readable.text() or turn.text) + closing(turn)).lstrip("\n")
            return JSONResponse(completion.whole(content, turn), headers=headers)

        async def produce(write: Write) -> None:
            opened = False

            async def send(frames: str) -> None:
                # The role's chunk goes with the first piece, in one write: a client has nothing to show before
                # it, and reading a chunk of its own meanwhile would only hold the request to the model up.
                nonlocal opened
                if not opened:
                    opened = True
                    frames = completion.chunk({"role": "assistant", "content": ""}) + frames
                await write(frames)

            try:
                turn = await run(Readable(lambda piece: send(completion.chunk({"content": piece}))))
            except BifrostError as exc:  # the SDKs raise an APIError for an `error` event mid-stream
                await send(f"data: {json.dumps({'error': {'message': str(exc), 'type': 'server_error'}})}\n\n")
            except Exception:
                log.exception("chat completion in conversation %s failed", start.conversation_id)
                await send('data: {"error": {"message": "the turn failed unexpectedly", "type": "server_error"}}\n\n')
            else:
                if turn.pending:
                    await send(completion.chunk({"content": closing(turn)}))
                await send(completion.chunk({}, finish_reason(turn)))
                if body.include_usage:
                    await send(completion.chunk({}, usage=usage(turn)))
            await send("data: [DONE]\n\n")

        return EventStream(produce, headers=headers)

    return [
        Route(f"{prefix}/v1/models", gated(app, models, resource_metadata_url), methods=["GET"]),
        Route(f"{prefix}/v1/chat/completions", gated(app, completions, resource_metadata_url), methods=["POST"]),
    ]
