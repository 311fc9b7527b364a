"""The platform a workflow sees inside a worker: each SDK operation is one frame to the host and one back.

The worker names only the operation and its arguments. Whom the call acts for is not on the wire at all:
the host answers every frame of a run with the platform it bound to that run's caller.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

from bifrost.errors import NoExecutionContextError
from bifrost_mcp.isolation.errors import rebuild_error

Send = Callable[[list[Any]], None]
_ids = itertools.count(1)  # call ids never repeat in a worker, so no late answer can reach a later run's call


class WirePlatform:
    """Implements `bifrost.platform.Platform` over the worker's connection to the host, for one run.

    Closed when its run ends: a task or thread the run left behind can make no call with it.
    """

    def __init__(self, send: Send) -> None:
        self._send = send
        self._closed = False
        self._calls: dict[int, asyncio.Future[Any]] = {}
        self._streams: dict[int, asyncio.Queue[tuple[str, Any]]] = {}

    def _next_id(self) -> int:
        if self._closed:
            raise NoExecutionContextError("the workflow run that made this SDK call has ended")
        return next(_ids)

    async def call(self, operation: str, arguments: dict[str, Any]) -> Any:
        cid = self._next_id()
        future = asyncio.get_running_loop().create_future()
        self._calls[cid] = future
        try:
            self._send(["call", cid, operation, arguments])
            return await future
        finally:
            self._calls.pop(cid, None)

    def stream(self, operation: str, arguments: dict[str, Any]) -> AsyncIterator[Any]:
        return self._stream(operation, arguments)

    async def _stream(self, operation: str, arguments: dict[str, Any]) -> AsyncIterator[Any]:
        cid = self._next_id()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._streams[cid] = queue
        ended = False
        try:
            self._send(["stream", cid, operation, arguments])
            while True:
                kind, value = await queue.get()
                if kind == "item":
                    yield value
                    continue
                ended = True
                if kind == "end":
                    return
                raise rebuild_error(value)
        finally:
            self._streams.pop(cid, None)
            if not ended and not self._closed:  # stopped early: the host ends its side (and its HTTP response)
                self._send(["close", cid])

    def answer(self, message: list[Any]) -> None:
        """A host frame for an SDK call in flight: ret, err (calls), item, end, fail (streams)."""
        kind, cid = message[0], message[1]
        if kind in ("ret", "err"):
            future = self._calls.get(cid)
            if future is None or future.done():
                return
            if kind == "ret":
                future.set_result(message[2])
            else:
                future.set_exception(rebuild_error(message[2]))
            return
        queue = self._streams.get(cid)
        if queue is not None:
            queue.put_nowait((kind, message[2] if len(message) > 2 else None))

    def close(self) -> None:
        """The run ended: calls still waiting fail, and no new one can start."""
        self._closed = True
        for future in self._calls.values():
            if not future.done():
                future.set_exception(NoExecutionContextError("the workflow run that made this SDK call has ended"))
        self._calls.clear()
        self._streams.clear()
