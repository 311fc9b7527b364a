"""Capture what a workflow logs (logging and print) into its execution's ordered log stream.

One root logging handler and one stdout router are installed per process; each checks a ContextVar for the
execution running in the current task (or the worker thread it started), so concurrent runs never mix.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TextIO

from bifrost_mcp.executions.records import ExecutionRecord
from bifrost_mcp.executions.state import RunState

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


class _Capture:
    __slots__ = ("line", "record", "state")

    def __init__(self, record: ExecutionRecord, state: RunState) -> None:
        self.record = record
        self.state = state
        self.line = ""

    def log(self, level: str, message: str, metadata: dict[str, Any] | None = None) -> None:
        self.record.add_log(level, self.state.redact(message), self.state.redact(metadata) if metadata else None)


LogSink = Callable[[str, str, dict[str, Any] | None], None]


def sink(record: ExecutionRecord, state: RunState) -> LogSink:
    """Where a worker's log frames for this run go: the same redacting append as captured output inline."""
    return _Capture(record, state).log


_current: ContextVar[_Capture | None] = ContextVar("bifrost_log_capture", default=None)


class CaptureHandler(logging.Handler):
    """Root handler: records emitted inside an execution go to its log stream."""

    def emit(self, record: logging.LogRecord) -> None:
        capture = _current.get()
        if capture is None:
            return
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                message += "\n" + logging.Formatter().formatException(record.exc_info)
            extra = {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS}
            capture.log(record.levelname, message, extra or None)
        except Exception:  # a logging handler must never raise into the workflow
            self.handleError(record)


class OutsideExecutionFilter(logging.Filter):
    """For the server's own log handler: workflow output belongs to its execution record, not the server log.

    This is also what keeps a secret a workflow logs out of the server's log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return _current.get() is None


class _StdoutRouter:
    """sys.stdout replacement: print() inside an execution becomes INFO log lines of that execution."""

    def __init__(self, fallback: TextIO) -> None:
        self._fallback = fallback
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        capture = _current.get()
        if capture is None:
            return self._fallback.write(text)
        with self._lock:
            capture.line += text
            *lines, capture.line = capture.line.split("\n")
        for line in lines:
            capture.log("INFO", line, {"stream": "stdout"})
        return len(text)

    def flush(self) -> None:
        if _current.get() is None:
            self._fallback.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fallback, name)


_installed = False


def install() -> None:
    """Install the capture handler and the stdout router once per process."""
    global _installed
    if _installed:
        return
    _installed = True
    root = logging.getLogger()
    root.addHandler(CaptureHandler(logging.INFO))
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    _route_stdout()


def _route_stdout() -> None:
    # Re-checked at every run: a host program (or a test runner) may have replaced sys.stdout since.
    if not isinstance(sys.stdout, _StdoutRouter):
        sys.stdout = _StdoutRouter(sys.stdout)


@contextmanager
def capturing(record: ExecutionRecord, state: RunState) -> Iterator[None]:
    _route_stdout()
    capture = _Capture(record, state)
    token = _current.set(capture)
    try:
        yield
    finally:
        _current.reset(token)
        if capture.line:
            capture.log("INFO", capture.line, {"stream": "stdout"})
