"""The server's stdout and stderr file descriptors behind a pump that redacts every secret any run read.

`os.write(2, ...)`, C extensions and child processes write to the descriptors themselves, past every Python
stream. While serving, each guarded descriptor is a pipe; a thread reads it and writes on to the real stream
with secrets replaced, whole lines at a time, so a secret split across two writes is still found. Python's own
sys.stdout/sys.stderr are pointed straight at the real streams, in order with each other and with no thread in
between: what is written there is redacted by the routers in `streams` and the server's log formatter.
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
import select
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TextIO

from bifrost_mcp.executions.seen import SEEN

logger = logging.getLogger(__name__)

# A line longer than this is passed on in parts; a part left waiting this long (seconds) is passed on anyway.
MAX_PENDING = 64 * 1024
IDLE_FLUSH_SECONDS = 0.2
JOIN_SECONDS = 5.0


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view) :]
        except OSError:  # the reader is gone (a closed terminal or pipe): keep draining so writers never block
            return


def _pump(source: int, target: int) -> None:
    pending = b""
    waiting = select.poll()
    waiting.register(source, select.POLLIN)
    while True:
        ready = waiting.poll(IDLE_FLUSH_SECONDS * 1000 if pending else None)
        if not ready:
            _write_all(target, SEEN.redact_bytes(pending))
            pending = b""
            continue
        chunk = os.read(source, 65536)
        if not chunk:  # every writer closed its end: the guard was lifted and no child holds it
            break
        pending += chunk
        cut = pending.rfind(b"\n") + 1 if len(pending) <= MAX_PENDING else len(pending)
        if cut:
            _write_all(target, SEEN.redact_bytes(pending[:cut]))
            pending = pending[cut:]
    if pending:
        _write_all(target, SEEN.redact_bytes(pending))
    os.close(source)


def _fd_backed(stream: TextIO, fd: int) -> bool:
    try:
        return stream.fileno() == fd
    except (AttributeError, OSError, ValueError):  # a test runner's or host program's own stream
        return False


class _Guard:
    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.saved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)  # the real stream, kept above the standard range
        read_end, write_end = os.pipe()
        os.dup2(write_end, fd)  # inheritable: a child process's writes go through the pump too
        os.close(write_end)
        self.thread = threading.Thread(target=_pump, args=(read_end, self.saved), name=f"bifrost-fd{fd}", daemon=True)
        self.thread.start()
        self.python_stream: TextIO | None = None
        attribute = "stdout" if fd == 1 else "stderr"
        current: TextIO = getattr(sys, attribute)
        if _fd_backed(current, fd):
            current.flush()
            direct = io.TextIOWrapper(
                io.FileIO(self.saved, "w", closefd=False), encoding=current.encoding, errors="backslashreplace",
                line_buffering=True, write_through=True,
            )  # fmt: skip
            self.python_stream = current
            setattr(sys, attribute, direct)

    def lift(self) -> None:
        if self.python_stream is not None:
            attribute = "stdout" if self.fd == 1 else "stderr"
            with suppress(Exception):  # a stream a test runner or host program closed meanwhile
                getattr(sys, attribute).flush()
            setattr(sys, attribute, self.python_stream)
        # This closes the process's write end of the pipe: the pump drains what is left and ends. `saved` stays
        # open: a log handler made while guarded still writes to it.
        os.dup2(self.saved, self.fd)
        self.thread.join(JOIN_SECONDS)


@contextmanager
def redacted(*fds: int) -> Iterator[None]:
    """Guard `fds` (1 and/or 2) while the block runs; on exit the real streams are back and the pumps drained."""
    guards: list[_Guard] = []
    try:
        for fd in fds:
            try:
                guards.append(_Guard(fd))
            except OSError:  # no such stream (a daemon started without one): nothing to guard
                logger.debug("file descriptor %d not guarded", fd, exc_info=True)
        yield
    finally:
        for guard in reversed(guards):
            guard.lift()
