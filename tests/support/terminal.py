"""The installed `bifrost-mcp` on a pseudo-terminal of its own: typed at, Ctrl-C'd, read back as a person would.

with Terminal("chat", "--agent", "helpdesk", env=...) as term:
    await term.expect("helpdesk> ")
    term.type("hello\\n")
    term.type(CTRL_C)   # the terminal sends SIGINT to the command, as a keyboard's Ctrl-C does
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from types import TracebackType

from tests.support.poll import poll
from tests.support.process import BIFROST_MCP, REPO

CTRL_C = "\x03"
CTRL_D = "\x04"
# The child is a session leader (start_new_session); taking the pty as its controlling terminal makes the
# terminal's Ctrl-C reach it as SIGINT. Done in a fresh interpreter, not in a preexec_fn of this threaded one.
_ATTACH = "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); os.execv(sys.argv[1], sys.argv[1:])"


class Terminal:
    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self._args = args
        self._env = env
        self._master = -1
        self._buffer = b""
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Terminal:
        self._master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ATTACH, BIFROST_MCP, *self._args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            env=self._env,
            cwd=REPO,
        )
        os.close(slave)
        os.set_blocking(self._master, False)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self._master)

    @property
    def output(self) -> str:
        """Everything the command (and the terminal's echo) wrote so far."""
        self._drain()
        return self._buffer.decode("utf-8", errors="replace").replace("\r\n", "\n")

    def type(self, keys: str) -> None:
        os.write(self._master, keys.encode())

    async def expect(self, text: str, *, after: int = 0, timeout: float = 20.0) -> int:
        """Wait for `text` in the output past offset `after`; returns the offset just past it."""

        def found() -> int | None:
            at = self.output.find(text, after)
            return at + len(text) if at >= 0 else None

        try:
            return await poll(found, timeout=timeout, what=repr(text))
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the terminal shows:\n{self.output}") from None

    async def exited(self, *, timeout: float = 20.0) -> int:
        """Wait for the command to end; its exit code."""
        assert self.process is not None
        process = self.process
        await poll(lambda: process.poll() is not None, timeout=timeout, what="the command to exit")
        return process.returncode

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except BlockingIOError:
                return
            except OSError:  # EIO: the command closed the terminal
                return
            if not chunk:
                return
            self._buffer += chunk
