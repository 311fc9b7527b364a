"""Capture what a workflow logs (logging, print, sys.stderr) into its execution's ordered log stream.

One root logging handler and routers in front of sys.stdout and sys.stderr are installed per process; each
checks a ContextVar for the execution running in the current task (or the worker thread it started), so
concurrent runs never mix. Output outside any run goes on to the process's stream, redacted (`streams`).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from bifrost_mcp.executions.records import ExecutionRecord
from bifrost_mcp.executions.state import RunState
from bifrost_mcp.isolation.output import log_entry
from bifrost_mcp.runner.streams import StreamRouter, TextSink

# What a run writes to a standard stream becomes log lines of this level.
STREAM_LEVELS = {"stdout": "INFO", "stderr": "WARNING"}
# (level, redacted message) of each line, to the run's calling client as well as its record
Forward = Callable[[str, str], None]


class _Capture:
    __slots__ = ("forward", "lock", "partial", "record", "sinks", "state")

    def __init__(self, record: ExecutionRecord, state: RunState, forward: Forward | None = None) -> None:
        self.record = record
        self.state = state
        self.forward = forward  # the calling client's log stream, when it has one
        self.partial: dict[str, str] = {}  # per stream: text written since its last newline
        self.lock = threading.Lock()  # a sync workflow writes from its worker thread
        self.sinks: dict[str, TextSink] = {}

    def log(self, level: str, message: str, metadata: dict[str, Any] | None = None) -> None:
        message = self.state.redact(message)
        self.record.add_log(level, message, self.state.redact(metadata) if metadata else None)
        if self.forward is not None:
            self.forward(level, message)

    def sink(self, stream: str) -> TextSink:
        sink = self.sinks.get(stream)
        if sink is None:
            sink = self.sinks[stream] = lambda text: self.write(stream, text)
        return sink

    def write(self, stream: str, text: str) -> None:
        with self.lock:
            *lines, self.partial[stream] = (self.partial.get(stream, "") + text).split("\n")
        for line in lines:
            self.log(STREAM_LEVELS[stream], line, {"stream": stream})

    def close(self) -> None:
        for stream, line in self.partial.items():
            if line:
                self.log(STREAM_LEVELS[stream], line, {"stream": stream})
        self.partial.clear()


LogSink = Callable[[str, str, dict[str, Any] | None], None]


def sink(record: ExecutionRecord, state: RunState, forward: Forward | None = None) -> LogSink:
    """Where a worker's log frames for this run go: the same redacting append as captured output inline."""
    return _Capture(record, state, forward).log


_current: ContextVar[_Capture | None] = ContextVar("bifrost_log_capture", default=None)


def _target(stream: str) -> TextSink | None:
    capture = _current.get()
    return None if capture is None else capture.sink(stream)


class CaptureHandler(logging.Handler):
    """Root handler: records emitted inside an execution go to its log stream."""

    def emit(self, record: logging.LogRecord) -> None:
        capture = _current.get()
        if capture is None:
            return
        try:
            capture.log(*log_entry(record))
        except Exception:  # a logging handler must never raise into the workflow
            self.handleError(record)


class OutsideExecutionFilter(logging.Filter):
    """For the server's own log handler: workflow output belongs to its execution record, not the server log.

    This is also what keeps a secret a workflow logs out of the server's log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return _current.get() is None


_installed = False


def install() -> None:
    """Install the capture handler and the stream routers once per process."""
    global _installed
    if _installed:
        return
    _installed = True
    root = logging.getLogger()
    # No level of its own: a record reaching it passed its logger's level, so a workflow that sets its logger to
    # DEBUG gets its DEBUG lines recorded, and one that does not keeps the root's INFO.
    root.addHandler(CaptureHandler())
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    _route_streams()


def _route_streams() -> None:
    # Re-checked at every run: a host program (or a test runner) may have replaced sys.stdout or sys.stderr since.
    if not isinstance(sys.stdout, StreamRouter):
        sys.stdout = StreamRouter(sys.stdout, "stdout", _target)
    if not isinstance(sys.stderr, StreamRouter):
        sys.stderr = StreamRouter(sys.stderr, "stderr", _target)


@contextmanager
def capturing(record: ExecutionRecord, state: RunState, forward: Forward | None = None) -> Iterator[None]:
    _route_streams()
    capture = _Capture(record, state, forward)
    token = _current.set(capture)
    try:
        yield
    finally:
        _current.reset(token)
        capture.close()
