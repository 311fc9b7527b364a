"""A worker's output: what the running workflow logs or prints becomes log frames of its run, in order.

A worker runs one workflow at a time, so one current sink serves every thread the run starts. Output while no
run is current (a workspace file printing at import) is dropped: the worker's own stdout and stderr are
/dev/null, never the host's (in stdio mode the host's stdout is the MCP wire).
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from pydantic_core import to_jsonable_python

Sink = Callable[[str, str, dict[str, Any] | None], None]

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


class RunOutput:
    """Where output goes while a run is current; installed once per worker."""

    def __init__(self) -> None:
        self.sink: Sink | None = None
        self.streams = (_Stream(self, "INFO", "stdout"), _Stream(self, "WARNING", "stderr"))

    def install(self) -> None:
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        root.addHandler(_Handler(self, logging.NOTSET))  # the logger's level decides, as in the host (capture)
        root.setLevel(logging.INFO)
        sys.stdout, sys.stderr = self.streams

    def emit(self, level: str, message: str, metadata: dict[str, Any] | None) -> None:
        sink = self.sink
        if sink is not None:
            sink(level, message, metadata)

    def end(self) -> None:
        """Flush unterminated lines into the run, then stop sending."""
        for stream in self.streams:
            stream.flush_line()
        self.sink = None


def log_entry(record: logging.LogRecord) -> tuple[str, str, dict[str, Any] | None]:
    """A log record as a run's log line: its level, its message with any traceback, its `extra=` fields."""
    message = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        message += "\n" + logging.Formatter().formatException(record.exc_info)
    extra = {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS}
    return record.levelname, message, extra or None


def plain_metadata(extra: dict[str, Any]) -> dict[str, Any]:
    try:
        value = to_jsonable_python(extra, fallback=repr)
    except Exception:  # a value that cannot even be described must not lose the log line
        return {"unencodable": repr(extra)[:200]}
    return value if isinstance(value, dict) else {"extra": value}


class _Handler(logging.Handler):
    def __init__(self, output: RunOutput, level: int) -> None:
        super().__init__(level)
        self._output = output

    def emit(self, record: logging.LogRecord) -> None:
        if self._output.sink is None:
            return
        try:
            level, message, extra = log_entry(record)
            self._output.emit(level, message, plain_metadata(extra) if extra else None)
        except Exception:  # a logging handler must never raise into the workflow
            self.handleError(record)


class _Stream(io.TextIOBase):
    """sys.stdout / sys.stderr of a worker: whole lines become log entries of the current run."""

    def __init__(self, output: RunOutput, level: str, name: str) -> None:
        self._output = output
        self._level = level
        self._metadata = {"stream": name}
        self._fd = 1 if name == "stdout" else 2  # /dev/null in a worker
        self._line = ""
        self._lock = threading.Lock()
        self.buffer = _Bytes(self)  # code that writes bytes to sys.stdout.buffer is captured the same way

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def write(self, text: str) -> int:
        if self._output.sink is None:
            return len(text)
        with self._lock:
            self._line += text
            *lines, self._line = self._line.split("\n")
        for line in lines:
            self._output.emit(self._level, line, dict(self._metadata))
        return len(text)

    def flush_line(self) -> None:
        with self._lock:
            line, self._line = self._line, ""
        if line:
            self._output.emit(self._level, line, dict(self._metadata))


class _Bytes(io.RawIOBase):
    def __init__(self, text: _Stream) -> None:
        self._text = text

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = bytes(data)
        self._text.write(view.decode("utf-8", "replace"))
        return len(view)
