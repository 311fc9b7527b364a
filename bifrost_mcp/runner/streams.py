"""sys.stdout and sys.stderr for a process that runs workflows: a run's writes go to its record.

Whatever else is written goes on to the process's stream with every secret any run read redacted. Code in a
run is found through a callback (the capture's ContextVar), so a thread a workflow started, which does not
inherit it, writes to the process's stream: redacted, since it may hold a secret its run read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, BinaryIO, TextIO

from bifrost_mcp.executions.seen import SEEN

TextSink = Callable[[str], None]


class StreamRouter:
    """A replacement for sys.stdout or sys.stderr (`name` says which) in front of the process's own stream."""

    def __init__(self, fallback: TextIO, name: str, target: Callable[[str], TextSink | None]) -> None:
        self._fallback = fallback
        self._name = name
        self._target = target

    @property
    def fallback(self) -> TextIO:
        return self._fallback

    def write(self, text: str) -> int:
        sink = self._target(self._name)
        if sink is None:
            self._fallback.write(SEEN.redact(text))
        else:
            sink(text)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._target(self._name) is None:
            self._fallback.flush()

    @property
    def buffer(self) -> BufferRouter:
        return BufferRouter(self, self._fallback.buffer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fallback, name)


class BufferRouter:
    """`sys.stdout.buffer`: bytes a run writes are decoded into its record; others redacted as bytes."""

    def __init__(self, text: StreamRouter, fallback: BinaryIO) -> None:
        self._text = text
        self._fallback = fallback

    def write(self, data: bytes | bytearray | memoryview) -> int:
        raw = bytes(data)
        sink = self._text._target(self._text._name)
        if sink is None:
            self._fallback.write(SEEN.redact_bytes(raw))
        else:
            sink(raw.decode("utf-8", "replace"))
        return len(raw)

    def flush(self) -> None:
        self._fallback.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fallback, name)
