"""One run as the host serves it: the SDK calls and streams its worker makes, answered by the run's platform.

The platform is the one the runner bound to the run's caller; the worker's frames only name the operation and
its arguments. Once the run has ended, nothing more is sent for it and its calls in flight are cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bifrost.platform import Platform
from bifrost_mcp.isolation.errors import error_payload

LogSink = Callable[[str, str, dict[str, Any] | None], None]
Send = Callable[[list[Any]], None]


@dataclass(slots=True)
class Finished:
    """A run the worker completed: its shaped result, or the description of what it raised."""

    ok: bool
    value: Any
    message: str | None
    left_running: bool = False  # tasks or threads of the run outlived it: the worker must not serve another
    user_error: bool = False  # it raised a UserError: a message for the caller (see results.is_user_error)
    invalid: list[str] | None = None  # the arguments did not validate (the worker's problems, one per field)


@dataclass(slots=True)
class RunUsage:
    """The worker's own CPU and peak memory for one run, however the run ended (None when unknown)."""

    cpu_seconds: float | None = None
    peak_bytes: int | None = None


class ServedRun:
    def __init__(self, rid: int, platform: Platform, log: LogSink, usage: RunUsage, send: Send) -> None:
        self.rid = rid
        self.platform = platform
        self.log = log
        self.usage = usage
        self.done: asyncio.Future[Finished] = asyncio.get_running_loop().create_future()
        self._send = send
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._open = True

    def serve(self, kind: str, cid: int, operation: str, arguments: dict[str, Any]) -> None:
        """Answer a "call" or a "stream" frame, concurrently with the run's other calls (as inline)."""
        serve = self._answer if kind == "call" else self._pump
        self._tasks[cid] = asyncio.get_running_loop().create_task(serve(cid, operation, arguments))

    def close(self, cid: object) -> None:
        """The workflow stopped reading a stream early."""
        task = self._tasks.get(cid) if isinstance(cid, int) else None
        if task is not None:
            task.cancel()

    def end(self) -> None:
        self._open = False
        for task in self._tasks.values():
            task.cancel()

    def _reply(self, message: list[Any]) -> None:
        if self._open:
            self._send(message)

    async def _answer(self, cid: int, operation: str, arguments: dict[str, Any]) -> None:
        try:
            value = await self.platform.call(operation, arguments)
            self._reply(["ret", cid, value])
        except Exception as exc:
            self._reply(["err", cid, error_payload(exc)])
        finally:
            self._tasks.pop(cid, None)

    async def _pump(self, cid: int, operation: str, arguments: dict[str, Any]) -> None:
        try:
            items = self.platform.stream(operation, arguments)
            try:
                async for item in items:
                    self._reply(["item", cid, item])
            finally:
                close = getattr(items, "aclose", None)
                if close is not None:
                    await close()
            self._reply(["end", cid])
        except Exception as exc:
            self._reply(["fail", cid, error_payload(exc)])
        finally:
            self._tasks.pop(cid, None)
