"""bench/chat.py's first-token sides: our two streaming APIs and the loopback model they stand in front of.

`first_token_sides(app)` serves `app` on 127.0.0.1 with the loopback OpenAI-compatible model configured as
the default model (GLOBAL config), signs a member of an organization in, and yields the sides; each returns
the seconds until the first token of one streamed answer, after reading the rest of the stream (untimed), so
that no turn is still running when the next one starts.

/v1 is timed for a first message and for turn 11 of a conversation whose ten earlier turns the client
resends, as chat UIs do (`Histories`): the server finds the conversation by them and reads it back.

One side is a reference: `bare_proxy`, the least any Python server in front of the model does (Starlette, the
same SDK call our provider makes, the chunks passed on), with no token, conversation or agent. What it adds
over the model is the second HTTP hop in this process; what we add over it is bifrost's own work.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx2
import openai
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from bifrost_mcp.app import App
from bifrost_mcp.conversations.records import AssistantMessage, UserMessage
from bifrost_mcp.conversations.view import ConversationsView
from bifrost_mcp.server.http import build_asgi
from tests.support.ai import MODELS, OPENAI_KEY
from tests.support.chat_http import serve_model
from tests.support.loopback import OpenAIServer, RecordedRequest, Reply
from tests.support.server import LoopbackServer

AGENT = "bench"
MODEL = MODELS["openai"]
QUESTION = "Is the printer on floor 2 working?"
HISTORY_TURNS = 10


def instant(_: RecordedRequest) -> Reply:
    return Reply("It is.", input_tokens=12, output_tokens=3)


def question() -> list[ChatCompletionMessageParam]:
    return [{"role": "user", "content": QUESTION}]


async def openai_first_token(
    client: openai.AsyncOpenAI, model: str, messages: list[ChatCompletionMessageParam] | None = None
) -> float:
    """Seconds until the first chunk with text: the SDK's own view of a streamed answer."""
    start = time.perf_counter()
    first: float | None = None
    stream = await client.chat.completions.create(model=model, messages=messages or question(), stream=True)
    async with stream:
        async for chunk in stream:
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter() - start
    assert first is not None, "the stream carried no text"
    return first


async def sse_first_token(
    http: httpx2.AsyncClient, url: str, body: dict[str, Any], is_token: Callable[[dict[str, Any]], bool]
) -> float:
    """Seconds until the first `data:` event that `is_token`, read with httpx2 as a plain SSE client would."""
    start = time.perf_counter()
    first: float | None = None
    async with http.stream("POST", url, json=body) as response:
        assert response.status_code == 200, response.status_code
        async for line in response.aiter_lines():
            if first is None and line.startswith("data: {") and is_token(json.loads(line[6:])):
                first = time.perf_counter() - start
    assert first is not None, "the stream carried no text"
    return first


def is_chunk_text(event: dict[str, Any]) -> bool:
    return any(choice["delta"].get("content") for choice in event.get("choices", ()))


def is_agui_text(event: dict[str, Any]) -> bool:
    return event.get("type") == "TEXT_MESSAGE_CONTENT"


def bare_proxy(upstream: openai.AsyncOpenAI) -> Starlette:
    async def forward(request: Request) -> Response:
        body = {**await request.json(), "stream": True, "stream_options": {"include_usage": True}}
        chunks = await upstream.post(
            "/chat/completions",
            body=body,
            cast_to=ChatCompletion,
            stream=True,
            stream_cls=openai.AsyncStream[ChatCompletionChunk],
        )

        async def frames() -> AsyncIterator[str]:
            async with chunks:
                async for chunk in chunks:
                    yield f"data: {chunk.model_dump_json()}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(frames(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/chat/completions", forward, methods=["POST"])])


async def _member_token(app: App) -> str:
    org = await app.host.identity.create_org("Bench Org")
    user = await app.host.identity.create_user("bench@bench.test", "Bench", org_id=org.id)
    return (await app.host.credentials.create_token(user.id)).token


class Histories:
    """Conversations of HISTORY_TURNS turns, each new, and the messages a chat client resends for the next turn.

    A chat UI resends the whole history and the server finds the conversation by it (`conversations.matching`),
    then reads it back for the model: the first token of a later turn pays for both, and for a longer request.
    """

    def __init__(self, app: App, token: str) -> None:
        self.app = app
        self.token = token
        self.made = 0

    async def next(self) -> list[ChatCompletionMessageParam]:
        """A new conversation's messages, stored as the caller's, then resent with the next question."""
        caller = await self.app.host.callers.for_token(self.token)
        conversations = ConversationsView(self.app.host.conversations, caller)
        conversation = await conversations.start(AGENT)
        messages = self.messages()
        stored = [
            UserMessage(text=str(m["content"])) if m["role"] == "user" else AssistantMessage(text=str(m["content"]))
            for m in messages
        ]
        await conversations.append(conversation.id, stored)
        return [*messages, *question()]

    def messages(self) -> list[ChatCompletionMessageParam]:
        self.made += 1
        messages: list[ChatCompletionMessageParam] = []
        for turn in range(HISTORY_TURNS):
            messages.append({"role": "user", "content": f"Ticket {self.made}, question {turn}?"})
            messages.append({"role": "assistant", "content": f"Answer {turn}."})
        return messages


@asynccontextmanager
async def first_token_sides(app: App) -> AsyncIterator[dict[str, Callable[[], Awaitable[float]]]]:
    async with AsyncExitStack() as stack:
        model = stack.enter_context(OpenAIServer(handler=instant, api_key=OPENAI_KEY))
        await serve_model(app, model)
        token = await _member_token(app)
        server = LoopbackServer()
        base = await stack.enter_async_context(server.serve(build_asgi(app, port=server.port, watch=False)))

        ours = await stack.enter_async_context(openai.AsyncOpenAI(base_url=f"{base}/v1", api_key=token, max_retries=0))
        direct = await stack.enter_async_context(
            openai.AsyncOpenAI(base_url=model.base_url, api_key=OPENAI_KEY, max_retries=0)
        )
        upstream = await stack.enter_async_context(
            openai.AsyncOpenAI(base_url=model.base_url, api_key=OPENAI_KEY, max_retries=0)
        )
        proxied = await stack.enter_async_context(LoopbackServer().serve(bare_proxy(upstream)))
        via_proxy = await stack.enter_async_context(
            openai.AsyncOpenAI(base_url=f"{proxied}/v1", api_key="unused", max_retries=0)
        )
        http_ours = await stack.enter_async_context(httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}))
        http_direct = await stack.enter_async_context(
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {OPENAI_KEY}"})
        )
        chunks_body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
        run_input = {"threadId": None, "messages": [{"role": "user", "content": QUESTION}]}

        async def agui_ours() -> float:
            body = {**run_input, "runId": "bench", "forwardedProps": {"agent": AGENT}}
            return await sse_first_token(http_ours, f"{base}/api/chat", body, is_agui_text)

        async def agui_model() -> float:
            return await sse_first_token(http_direct, f"{model.base_url}/chat/completions", chunks_body, is_chunk_text)

        async def openai_ours() -> float:
            return await openai_first_token(ours, AGENT)

        async def openai_model() -> float:
            return await openai_first_token(direct, MODEL)

        async def openai_bare_proxy() -> float:
            return await openai_first_token(via_proxy, MODEL)

        histories = Histories(app, token)

        async def later_turn_ours() -> float:
            return await openai_first_token(ours, AGENT, await histories.next())  # seeded before the clock starts

        async def later_turn_model() -> float:
            return await openai_first_token(direct, MODEL, [*histories.messages(), *question()])

        yield {
            "OpenAI-compatible /v1 (model)": openai_model,
            "OpenAI-compatible /v1 (bare proxy)": openai_bare_proxy,
            "OpenAI-compatible /v1 (ours)": openai_ours,
            f"OpenAI-compatible /v1, turn {HISTORY_TURNS + 1} (model)": later_turn_model,
            f"OpenAI-compatible /v1, turn {HISTORY_TURNS + 1} (ours)": later_turn_ours,
            "AG-UI /api/chat (model)": agui_model,
            "AG-UI /api/chat (ours)": agui_ours,
        }
