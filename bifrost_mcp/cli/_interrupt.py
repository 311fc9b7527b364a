"""Ctrl-C and the prompt in an interactive command: Ctrl-C stops what runs now (a chat turn), not the process.

Inside `Interrupts.handling()`, SIGINT cancels the `Interrupts.scope()` open at that moment; the code after the
scope reads its `cancelled_caught` to tell a stopped turn from a finished one, and the session goes on.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import anyio
import anyio.from_thread
import anyio.lowlevel


class Interrupts:
    """While `handling()`, SIGINT cancels the innermost `scope()` open at that moment (and nothing when none is)."""

    def __init__(self) -> None:
        self._current: anyio.CancelScope | None = None

    @asynccontextmanager
    async def handling(self) -> AsyncIterator[None]:
        if threading.current_thread() is not threading.main_thread():
            # signals reach the main thread only: a command run on a worker (a test's CliRunner) keeps the default
            yield
            return
        with anyio.open_signal_receiver(signal.SIGINT) as signals:
            async with anyio.create_task_group() as tasks:

                async def forward() -> None:
                    async for _ in signals:
                        if self._current is not None:
                            self._current.cancel()

                tasks.start_soon(forward)
                yield
                tasks.cancel_scope.cancel()

    @contextmanager
    def scope(self) -> Iterator[anyio.CancelScope]:
        """A cancel scope Ctrl-C cancels; its `cancelled_caught` says whether it did."""
        outer = self._current
        with anyio.CancelScope() as scope:
            self._current = scope
            try:
                yield scope
            finally:
                self._current = outer


async def read_line(prompt: str) -> str:
    """`input(prompt)` without holding the event loop; raises EOFError at the end of input (Ctrl-D).

    It reads on a daemon thread of its own: a prompt cancelled by Ctrl-C stays blocked in input(), and an
    ordinary worker thread would then keep the process from exiting until the user pressed Enter.
    """
    token = anyio.lowlevel.current_token()
    done = anyio.Event()
    outcome: list[str | BaseException] = []

    def read() -> None:
        try:
            outcome.append(input(prompt))
        except BaseException as exc:  # EOFError above all; handed to the waiting task
            outcome.append(exc)
        with contextlib.suppress(anyio.RunFinishedError):  # the session ended while this prompt waited
            anyio.from_thread.run_sync(done.set, token=token)

    threading.Thread(target=read, name="prompt", daemon=True).start()
    await done.wait()
    [line] = outcome
    if isinstance(line, BaseException):
        raise line
    return line
