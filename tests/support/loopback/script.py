"""What a loopback model server answers (a script of replies, or a handler) and what it recorded.

The reply types are vendor-neutral; each server renders them in its own wire protocol, as JSON or as an
SSE stream depending on the request's `"stream": true`.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.server import LoopbackServer

_ids = itertools.count(1)


@dataclass
class ToolUse:
    """The model calls tool `name` with `arguments`."""

    name: str
    arguments: dict[str, Any]
    id: str = field(default_factory=lambda: f"call_loopback_{next(_ids)}")


@dataclass
class Reply:
    """A model turn: text and/or tool calls, with usage. `chunks` sets the streamed text deltas (default: words)."""

    text: str = ""
    tool_calls: list[ToolUse] = field(default_factory=list)
    input_tokens: int = 11
    output_tokens: int = 7
    chunks: list[str] | None = None

    def deltas(self) -> list[str]:
        if self.chunks is not None:
            return self.chunks
        words = self.text.split(" ")
        return [word if i == 0 else f" {word}" for i, word in enumerate(words)] if self.text else []


@dataclass
class Failure:
    """An error status in the vendor's error shape. `message` None: the vendor's usual text for the status."""

    status: int
    message: str | None = None
    retry_after: str | None = None


@dataclass
class ContextTooLong:
    """The vendor's 400 for a prompt beyond the model's context window."""


@dataclass
class Malformed:
    """A broken answer: `bad_json` (invalid JSON mid-stream or as the body) or `truncated` (stream cut short)."""

    how: Literal["bad_json", "truncated"] = "truncated"


@dataclass
class StreamError:
    """A stream that starts, then carries the vendor's in-stream error (the model is overloaded)."""


@dataclass
class Hang:
    """Never answer (until the server stops): for timeouts."""


Answer = Reply | Failure | ContextTooLong | Malformed | StreamError | Hang


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    client_port: int | None = None  # the same for requests over one kept-alive connection

    @property
    def api_key(self) -> str | None:
        """The key the client sent, as `x-api-key` or `Authorization: Bearer`."""
        if "x-api-key" in self.headers:
            return self.headers["x-api-key"]
        authorization = self.headers.get("authorization", "")
        return authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else None

    @property
    def stream(self) -> bool:
        return isinstance(self.body, dict) and self.body.get("stream") is True


Handler = Callable[[RecordedRequest], Answer | Awaitable[Answer]]


class _Gate:
    """Holds hung requests until the server stops (released from the test's thread)."""

    def __init__(self) -> None:
        self._released = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    async def wait(self) -> None:
        self._loop, self._event = asyncio.get_running_loop(), self._event or asyncio.Event()
        if not self._released.is_set():
            await self._event.wait()

    def release(self) -> None:
        self._released.set()
        if self._loop is not None and self._event is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)


class ScriptedServer:
    """A loopback model server: answers from `replies` in order, or from `handler`; records every request.

    `api_key`: when set, requests with another key get the vendor's 401. Use as `with Server(...) as server:`
    and point the SDK at `server.base_url`.
    """

    path: str = ""
    api_prefix: str = ""

    def __init__(self, *replies: Answer, handler: Handler | None = None, api_key: str | None = None) -> None:
        self.script: deque[Answer] = deque(replies)
        self.handler = handler
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self._gate = _Gate()
        self._app = Starlette(routes=[Route(self.path, self._endpoint, methods=["POST"])])
        self._serving = ExitStack()
        self._url = ""

    @property
    def base_url(self) -> str:
        return self._url + self.api_prefix

    def push(self, *replies: Answer) -> None:
        self.script.extend(replies)

    def start(self) -> ScriptedServer:
        self._url = self._serving.enter_context(LoopbackServer().serve_in_thread(self._app))
        return self

    def stop(self) -> None:
        self._gate.release()
        self._serving.close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def _endpoint(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode(errors="replace")
        port = request.client.port if request.client is not None else None
        recorded = RecordedRequest(request.method, request.url.path, dict(request.headers), body, port)
        self.requests.append(recorded)
        answer = await self._answer(recorded)
        if isinstance(answer, Hang):
            await self._gate.wait()
            answer = Failure(500, "loopback server stopping")
        return self.render(answer, recorded)

    async def _answer(self, recorded: RecordedRequest) -> Answer:
        if self.api_key is not None and recorded.api_key != self.api_key:
            return Failure(401)
        if self.handler is not None:
            answer = self.handler(recorded)
            return await answer if inspect.isawaitable(answer) else answer
        if self.script:
            return self.script.popleft()
        return Failure(500, "loopback script exhausted: the test sent more requests than it scripted")

    def render(self, answer: Answer, recorded: RecordedRequest) -> Response:
        raise NotImplementedError


def sse(data: str, event: str | None = None) -> str:
    return (f"event: {event}\n" if event else "") + f"data: {data}\n\n"
