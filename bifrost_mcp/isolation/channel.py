"""The host's side of one worker process: start it, hand it a run, answer its SDK calls, kill it.

Every SDK frame of a run is answered by the platform the host passed with that run (bound to the run's
caller); frames name an operation and its arguments, never a caller, scope or execution. A frame outside a
run, of an unknown kind or shape, ends the worker.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
from typing import Any

from pydantic_core import from_json

from bifrost.platform import Platform
from bifrost_mcp.isolation import usage
from bifrost_mcp.isolation.calls import Finished, LogSink, RunUsage, ServedRun
from bifrost_mcp.isolation.wire import Connection

HANG_UP_GRACE_SECONDS = 2.0
# The host's own credentials stay out of workflow code's reach; the platform answers for it.
HOST_SECRETS = (
    "BIFROST_SECRET_KEY",
    "BIFROST_TOKEN",
    "BIFROST_EMBEDDER_API_KEY",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
)


class WorkerGone(Exception):
    """The worker ended during the run (or its start); the message says how."""

    def __init__(self, message: str, *, importing: str | None = None, why: str | None = None) -> None:
        super().__init__(message)
        self.importing = importing  # the workspace file it was importing when it ended, if it had started one
        self.why = why or message


def worker_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in HOST_SECRETS}


class WorkerProcess:
    def __init__(self, process: subprocess.Popen[bytes], generation: int) -> None:
        self.process = process
        self.pid = process.pid
        self.generation = generation
        self.connection = Connection(self._on_message, self._on_lost)
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[dict[str, Any]] = loop.create_future()
        self.exited: asyncio.Future[int] = loop.create_future()
        self.reason: str | None = None  # set when the host ended it, and why
        self.over_memory = 0  # the resident bytes seen when the pool killed it for its memory limit
        self.cpu_mark = 0.0  # the worker's CPU seconds when its last run ended
        self._exit_cpu: float | None = None
        self.importing: str | None = None  # the workspace file it imports while it starts
        self.hung_up: asyncio.Future[None] = loop.create_future()  # its connection is closed, every frame read
        self._run: ServedRun | None = None
        self._rids = itertools.count(1)
        self._checks: dict[int, asyncio.Future[list[str]]] = {}  # argument checks awaiting the worker's answer

    @classmethod
    async def start(cls, hello: dict[str, Any], generation: int, *, timeout: float) -> WorkerProcess:
        """A worker that has imported what `hello` names; raises WorkerGone if it cannot get there."""
        host_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            # A fork and exec of a few milliseconds, on a worker start (not per run): not worth a thread.
            process = subprocess.Popen(  # noqa: ASYNC220
                [sys.executable, "-m", "bifrost_mcp.isolation.worker", str(child_end.fileno())],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # never the host's stdout: in stdio mode that is the MCP wire
                stderr=subprocess.DEVNULL,
                pass_fds=(child_end.fileno(),),  # and nothing else: no listening socket reaches a worker
                start_new_session=True,  # its own process group: killed whole, untouched by a terminal's ^C
                env=worker_environment(),
            )
        except BaseException:
            host_end.close()
            raise
        finally:
            child_end.close()
        worker = cls(process, generation)
        loop = asyncio.get_running_loop()
        try:
            await loop.create_unix_connection(lambda: worker.connection, sock=host_end)
            worker._watch_exit(loop)
            worker.connection.send(["hello", hello])
            await asyncio.wait((worker.ready, worker.exited), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # cancelled while starting (the host stops): leave no process behind
            worker.kill("the host stopped starting it")
            process.wait()
            raise
        if not worker.ready.done():
            worker.kill(f"it did not import the workspace within {timeout:g} s")
            await worker.exited
            # It may have died at once after announcing a file: the frames sent before its end are read first.
            await asyncio.wait((worker.hung_up,), timeout=HANG_UP_GRACE_SECONDS)
            why = worker.describe_exit()
            raise WorkerGone(f"a worker process could not start: {why}", importing=worker.importing, why=why)
        return worker

    @property
    def busy(self) -> bool:
        return self._run is not None

    @property
    def alive(self) -> bool:
        return self.reason is None and not self.exited.done()

    async def run(
        self, ref: list[str], arguments: dict[str, Any], ctx: dict[str, Any], platform: Platform, log: LogSink,
        usage: RunUsage,
    ) -> Finished:  # fmt: skip
        run = ServedRun(next(self._rids), platform, log, usage, self.connection.send)
        self._run = run
        try:
            if not self.alive:
                raise WorkerGone(self.describe_exit())
            self.connection.send(["run", run.rid, ref, arguments, ctx])
            return await run.done
        except asyncio.CancelledError:
            self.kill("the run was stopped (its timeout, or the caller cancelled it)")  # it may be blocked: no wait
            raise
        finally:
            self._run = None
            run.end()

    async def check(self, ref: list[str], arguments: dict[str, Any]) -> list[str]:
        """The worker's problems with `arguments` for the workflow `ref` ([] when they fit), nothing run."""
        if not self.alive:
            raise WorkerGone(self.describe_exit())
        rid = next(self._rids)
        answer: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()
        self._checks[rid] = answer
        try:
            self.connection.send(["check", rid, ref, arguments])
            return await answer
        finally:
            self._checks.pop(rid, None)

    def kill(self, reason: str) -> None:
        """End the worker at once (its whole process group); `reason` becomes the run's failure."""
        if self.reason is not None or self.exited.done():
            return
        self.reason = reason
        self._exit_cpu = usage.cpu_seconds(self.pid)
        run = self._run
        if run is not None:
            run.usage.cpu_seconds, run.usage.peak_bytes = self._run_cpu(), usage.peak_bytes(self.pid)
            if not run.done.done():
                run.done.set_exception(WorkerGone(reason))
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            self.process.kill()
        self.connection.abort(ConnectionAbortedError(reason))

    def describe_exit(self) -> str:
        if self.reason is not None:
            return self.reason
        code = self.process.returncode
        if code is None:
            return "its worker process closed the connection"
        if code < 0:
            return f"its worker process was killed by signal {signal.Signals(-code).name}"
        return f"its worker process exited with code {code}"

    def _run_cpu(self) -> float | None:
        return None if self._exit_cpu is None else round(max(0.0, self._exit_cpu - self.cpu_mark), 6)

    # process exit
    def _watch_exit(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # no pidfd (not Linux): a thread waits instead
            import threading

            def wait() -> None:
                self.process.wait()
                loop.call_soon_threadsafe(self._on_exit)

            threading.Thread(target=wait, name=f"bifrost-worker-{self.pid}", daemon=True).start()
            return

        def exited() -> None:
            loop.remove_reader(pidfd)
            os.close(pidfd)
            if self._exit_cpu is None:
                self._exit_cpu = usage.cpu_seconds(self.pid)  # a zombie still has its CPU times
            self.process.wait()
            self._on_exit()

        loop.add_reader(pidfd, exited)

    def _on_exit(self) -> None:
        if not self.exited.done():
            self.exited.set_result(self.process.returncode or 0)
        if not self.ready.done():  # still starting: what it sent last (the file it imports) is read to the end
            asyncio.get_running_loop().call_later(HANG_UP_GRACE_SECONDS, self.connection.abort, ConnectionResetError())
        else:
            self.connection.abort(ConnectionResetError("the worker exited"))
        run = self._run
        if run is not None and not run.done.done():
            run.usage.cpu_seconds = self._run_cpu()
            run.done.set_exception(WorkerGone(f"{self.describe_exit()} during the run"))
        for answer in self._checks.values():
            if not answer.done():
                answer.set_exception(WorkerGone(self.describe_exit()))

    def _on_lost(self, exc: BaseException | None) -> None:
        if not self.hung_up.done():
            self.hung_up.set_result(None)
        if self.exited.done():
            return
        if exc is not None:
            self.kill(f"its worker broke the wire protocol ({exc})")
        else:  # the worker closed its end: it is exiting, and its exit code says why; if not, it goes anyway
            asyncio.get_running_loop().call_later(HANG_UP_GRACE_SECONDS, self.kill, "its worker hung up")

    # frames from the worker
    def _on_message(self, message: list[Any]) -> None:
        try:
            self._dispatch(message)
        except (TypeError, ValueError, IndexError) as exc:
            self.kill(f"its worker broke the wire protocol ({type(exc).__name__}: {exc})")

    def _dispatch(self, message: list[Any]) -> None:
        kind, run = message[0], self._run
        if kind == "log":
            level, text, metadata = message[1:4]
            if not (isinstance(level, str) and isinstance(text, str) and isinstance(metadata, dict | None)):
                raise TypeError("a malformed log frame")
            if run is not None:
                run.log(level, text, metadata)
        elif kind in ("call", "stream") and run is not None:
            cid, operation, arguments = message[1:4]
            if not (isinstance(cid, int) and isinstance(operation, str) and isinstance(arguments, dict)):
                raise TypeError(f"a malformed {kind} frame")
            run.serve(kind, cid, operation, arguments)
        elif kind == "close" and run is not None:
            run.close(message[1])
        elif kind == "done" and run is not None and message[1] == run.rid:
            status, value, cpu, total, peak, left_running = message[2:8]
            if status == "json":
                value = from_json(value)
            self.cpu_mark = float(total)
            run.usage.cpu_seconds, run.usage.peak_bytes = float(cpu), int(peak)
            ok = status in ("ok", "json")
            if status == "invalid":  # the arguments did not validate: `value` lists the problems
                finished = Finished(False, None, None, bool(left_running), invalid=[str(p) for p in value])
            else:
                failure = None if ok else str(value)
                user_error = status == "user_error"
                finished = Finished(ok, value if ok else None, failure, bool(left_running), user_error)
            run.done.set_result(finished)
        elif kind == "checked" and message[1] in self._checks:
            problems = message[2]
            if not isinstance(problems, list):
                raise TypeError("a malformed checked frame")
            answer = self._checks[message[1]]
            if not answer.done():
                answer.set_result([str(p) for p in problems])
        elif kind == "importing" and not self.ready.done():
            self.importing = str(message[1])
        elif kind == "ready" and not self.ready.done():
            self.ready.set_result(dict(message[1]))
        else:
            raise ValueError(f"an unexpected {kind!r} frame")
