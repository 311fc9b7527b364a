"""A worker process: `python -m bifrost_mcp.isolation.worker FD`, started and owned by the host's pool.

It imports the workspace once (the hello frame says which), then runs one workflow at a time as the host asks,
its SDK calls answered by the host over the socket FD. Whatever a workflow does here (exit, raise any
BaseException, block, fork, exhaust memory) ends at most this process, which the host replaces.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import os
import resource
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pydantic
from pydantic_core import to_json

from bifrost.platform import bind
from bifrost_mcp.isolation.output import RunOutput
from bifrost_mcp.isolation.remote import WirePlatform
from bifrost_mcp.isolation.resolve import Resolver, context_from
from bifrost_mcp.isolation.results import describe_exception, describe_validation_error, is_user_error, shape_result
from bifrost_mcp.isolation.wire import Connection


def _refuse_fork(*_args: object, **_kwargs: object) -> Any:
    raise PermissionError(
        "os.fork() is not available to workflows: a forked copy of the worker would share its connection to the "
        "host. Start a program with subprocess instead."
    )


def _harden() -> None:
    os.fork = _refuse_fork
    os.forkpty = _refuse_fork
    if sys.platform == "linux":  # die with the host, even one killed with SIGKILL, instead of running on
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Worker:
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.thread_id = threading.get_ident()
        self.connection = Connection(self.on_message, self.on_lost)
        self.platform = WirePlatform(self.connection.send)
        self.platform.close()  # until the first run
        self.main_task: asyncio.Task[Any] | None = asyncio.current_task()
        self.executor_threads: set[int] = set()
        self.executor = ThreadPoolExecutor(thread_name_prefix="workflow", initializer=self._executor_thread)
        self.output = RunOutput()
        self.resolver = Resolver()
        self.stopped = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._peak_reset = _open_proc("clear_refs", os.O_WRONLY)
        self._status = _open_proc("status", os.O_RDONLY)

    def _executor_thread(self) -> None:
        self.executor_threads.add(threading.get_ident())

    def on_lost(self, _exc: BaseException | None) -> None:
        os._exit(0)  # the host is gone: nothing here is worth finishing

    def on_message(self, message: list[Any]) -> None:
        kind = message[0]
        if kind == "run":
            task = self.loop.create_task(self.run(*message[1:5]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif kind == "hello":
            info = self.resolver.load(message[1], announce=lambda source: self.connection.send(["importing", source]))
            self.connection.send(["ready", {"pid": os.getpid(), **info}])
        elif kind == "check":
            self.connection.send(["checked", message[1], self.check(message[2], message[3])])
        elif kind == "stop":
            self.stopped.set()
        else:
            self.platform.answer(message)

    def check(self, ref: list[str], arguments: dict[str, Any]) -> list[str]:
        """The problems with `arguments` for the workflow `ref`, as a run would find them; [] when they fit."""
        signature = self.resolver.entry(ref).imported_signature()
        try:
            signature.arguments_model.model_validate(arguments)
        except pydantic.ValidationError as exc:
            return describe_validation_error(exc)
        return []

    def log(self, level: str, message: str, metadata: dict[str, Any] | None) -> None:
        frame = ["log", level, message, metadata]
        if threading.get_ident() == self.thread_id:
            self.connection.send(frame)
        else:  # a thread the run started: the connection belongs to the loop
            self.loop.call_soon_threadsafe(self.connection.send, frame)

    async def run(self, rid: int, ref: list[str], arguments: dict[str, Any], ctx_fields: dict[str, Any]) -> None:
        if self._peak_reset is not None:
            os.write(self._peak_reset, b"5")  # the peak RSS from here on is this run's alone
        cpu = _cpu_seconds()
        threads = threading.active_count()
        self.platform = platform = WirePlatform(self.connection.send)
        self.output.sink = self.log
        try:
            entry = self.resolver.entry(ref)
            signature = entry.imported_signature()
            try:
                kwargs = signature.to_kwargs(signature.arguments_model.model_validate(arguments))
            except pydantic.ValidationError as exc:  # the host (holding only schemas) leaves this check to us
                outcome: list[Any] = ["invalid", describe_validation_error(exc)]
            else:
                ctx = context_from(ctx_fields)
                for name in signature.context_params:
                    kwargs[name] = ctx
                with bind(ctx, platform):
                    result = await self._call(entry.spec.fn, kwargs)
                outcome = ["ok", shape_result(entry, result)]
        except BaseException as exc:  # run boundary: SystemExit, KeyboardInterrupt, ... end this run, not us
            outcome = ["user_error" if is_user_error(exc) else "error", describe_exception(exc)]
        finally:
            self.output.end()
            platform.close()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        total = usage.ru_utime + usage.ru_stime
        peak = self._peak_bytes() or usage.ru_maxrss * 1024
        done = ["done", rid, *outcome, round(total - cpu, 6), total, peak, self._left_behind(threads)]
        try:
            self.connection.send(done)
        except Exception:  # MessagePack cannot carry it (an int past 64 bits): the result goes as JSON text
            done[2:4] = ["json", to_json(outcome[1]).decode()]
            self.connection.send(done)

    def _peak_bytes(self) -> int | None:
        """VmHWM, which the reset at the start of the run rewound.

        Not ru_maxrss: that never goes below the host's own peak, carried over from the process that started us.
        """
        if self._status is None:
            return None
        status = os.pread(self._status, 8192, 0)
        start = status.find(b"VmHWM:")
        return int(status[start + 6 : status.index(b"kB", start)]) * 1024 if start >= 0 else None

    def _left_behind(self, threads_before: int) -> bool:
        """Whether the run left tasks or threads running (its tasks are cancelled).

        Then the host retires this worker: nothing of one caller's run may still run during another caller's.
        A thread the executor started for a sync workflow is the worker's own, and stays.
        """
        own = {self.main_task, asyncio.current_task(), *self._tasks}
        tasks = [task for task in asyncio.all_tasks() if task not in own]
        for task in tasks:
            task.cancel()
        if threading.active_count() <= threads_before:
            return bool(tasks)
        threads = [t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()]
        return bool(tasks) or any(thread.ident not in self.executor_threads for thread in threads)

    async def _call(self, fn: Any, kwargs: dict[str, Any]) -> Any:
        if inspect.iscoroutinefunction(fn):
            return await fn(**kwargs)
        # Sync workflows run in a thread, as inline, with the run's context (and so its platform).
        call = functools.partial(contextvars.copy_context().run, fn, **kwargs)
        result = await self.loop.run_in_executor(self.executor, call)
        return await result if inspect.isawaitable(result) else result


def _open_proc(name: str, flags: int) -> int | None:
    try:
        return os.open(f"/proc/self/{name}", flags | os.O_CLOEXEC)
    except OSError:  # not Linux: the peak is the worker's since it started
        return None


async def serve(fd: int) -> None:
    worker = Worker()
    worker.output.install()
    sock = socket.socket(fileno=fd)
    sock.set_inheritable(False)  # a program the workflow starts never holds the host's connection
    await worker.loop.create_unix_connection(lambda: worker.connection, sock=sock)
    await worker.stopped.wait()


def main() -> None:
    _harden()
    asyncio.run(serve(int(sys.argv[1])))


if __name__ == "__main__":
    main()
