"""A pool of warm worker processes: one run at a time each, replaced when they crash, time out or grow too big.

Workers import the workspace when they start; the host does not. The first worker of a generation describes the
registry it loaded, and the host builds its own from that (`workspace.described`), so workspace code never runs
in the host. A file whose import ends or stalls that worker (os._exit, a crash, a blocking sleep) is named by
the last file the worker announced: it is skipped, and reported as a load error, by every worker of the
generation. A hot reload starts a new generation and switches to it once its workers are ready, the old ones
finishing their runs meanwhile, so a slow import never stalls a call.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bifrost.platform import ExecutionContext, Platform
from bifrost_mcp.isolation import usage
from bifrost_mcp.isolation.calls import Finished, LogSink, RunUsage
from bifrost_mcp.isolation.channel import WorkerGone, WorkerProcess
from bifrost_mcp.isolation.errors import RunFailed
from bifrost_mcp.isolation.resolve import context_fields, ref_of
from bifrost_mcp.workspace.described import described_registry
from bifrost_mcp.workspace.loader import report_problems
from bifrost_mcp.workspace.registry import RegisteredWorkflow, Registry

logger = logging.getLogger(__name__)

MEMORY_CHECK_SECONDS = 0.05
START_TIMEOUT_SECONDS = 120.0
_MIB = 1024 * 1024


class WorkerPool:
    def __init__(
        self,
        size: int,
        *,
        memory_limit_mb: int = 0,
        exclude: Sequence[Path] = (),
        start_timeout: float = START_TIMEOUT_SECONDS,
        system: Sequence[Callable[..., Any]] = (),
        system_source: str = "system",
    ) -> None:
        self.size = max(1, size)
        self.exclude = [str(path) for path in exclude]  # folders the workers' loader never walks into (data dir)
        # the host's own tools, registered first by a worker's loader as by the host's (by module and name)
        self.system = [[fn.__module__, fn.__qualname__] for fn in system]
        self.system_source = system_source
        self._skip: dict[str, str] = {}  # files this generation's workers do not import, and why
        self.memory_limit = memory_limit_mb * _MIB
        self.start_timeout = start_timeout
        self.generation = 0
        self._root: str | None = None
        self._workers: set[WorkerProcess] = set()
        self._idle: deque[WorkerProcess] = deque()
        self._waiters: deque[asyncio.Future[WorkerProcess]] = deque()
        self._starting = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._busy = asyncio.Event()
        self._closed = False

    def live_workers(self) -> list[WorkerProcess]:
        """The workers that can take runs now or after their current one, oldest process first."""
        return sorted((w for w in self._workers if w.alive), key=lambda w: w.pid)

    def _hello(self, generation: int, skip: dict[str, str] | None = None) -> dict[str, Any]:
        main = getattr(sys.modules.get("__main__"), "__file__", None)
        return {"sys_path": list(sys.path), "root": self._root, "version": generation, "main": main,
                "exclude": self.exclude, "system": self.system, "system_source": self.system_source,
                "skip": self._skip if skip is None else skip}  # fmt: skip

    async def _describe(self, root: Path, version: int) -> tuple[WorkerProcess, Registry, dict[str, str]]:
        """A worker that imported the workspace at `root`, the registry it described, and the files it skipped.

        Raises WorkerGone when no worker could start for another reason than a file it was importing.
        """
        self._root = str(root)
        skip: dict[str, str] = {}
        while True:
            hello = {**self._hello(version, skip), "describe": True}
            try:
                worker = await WorkerProcess.start(hello, version, timeout=self.start_timeout)
            except WorkerGone as gone:
                if gone.importing is None or gone.importing in skip:
                    raise
                skip[gone.importing] = (
                    f"importing it ended the worker process that imported the workspace ({gone.why}); module-level "
                    "code must not exit, crash or block: the file is skipped until it is fixed"
                )
                logger.error("workspace: %s: %s", gone.importing, skip[gone.importing])
                continue
            registry = described_registry((await worker.ready)["registry"], version, root)
            report_problems(registry)
            return worker, registry, skip

    async def open_workspace(self, root: Path, version: int) -> Registry:
        """Start the pool on the workspace at `root` and return its registry, built from a worker's description."""
        worker, registry, self._skip = await self._describe(root, version)
        self.generation = version
        self._background(self._watch_memory())
        self._adopt(worker)
        self._replenish()
        return registry

    async def reload_workspace(self, root: Path, version: int) -> Registry | None:
        """Switch to workers that imported the workspace at `root` afresh once they are ready; None if none could."""
        try:
            first, registry, skip = await self._describe(root, version)
        except WorkerGone as gone:
            logger.error("workspace reload: no worker of version %d started (%s); still serving the previous one",
                         version, gone)  # fmt: skip
            return None
        hello = self._hello(version, skip)
        started = await asyncio.gather(
            *(WorkerProcess.start(hello, version, timeout=self.start_timeout) for _ in range(self.size - 1)),
            return_exceptions=True,
        )
        fresh = [first, *(w for w in started if isinstance(w, WorkerProcess))]
        if self._closed:
            for worker in fresh:
                worker.kill("the pool did not switch to it")
            return None
        self._skip = skip
        self._switch(version, fresh)
        return registry

    async def start(self, registry: Registry) -> None:
        """Start the workers for `registry` (in the background: a run waits for the first ready one)."""
        self._root = str(registry.root) if registry.root is not None else None
        self.generation = registry.version
        self._background(self._watch_memory())
        self._replenish()

    def _switch(self, generation: int, fresh: list[WorkerProcess]) -> None:
        self.generation = generation
        for worker in list(self._idle):
            self._retire(worker, "replaced by a reload")
        self._idle.clear()
        for worker in fresh:
            self._adopt(worker)
        self._replenish()

    def _adopt(self, worker: WorkerProcess) -> None:
        self._workers.add(worker)
        self._background(self._reap(worker))
        self._release(worker)

    async def run(
        self, entry: RegisteredWorkflow, arguments: dict[str, Any], ctx: ExecutionContext, platform: Platform,
        log: LogSink, usage: RunUsage,
    ) -> Finished:  # fmt: skip
        """Run `entry` in a worker, its SDK calls answered by `platform` (the run's caller's, bound by the host).

        A run the worker could not finish (it crashed, or passed the memory limit) raises RunFailed saying why.
        """
        worker = await self._acquire()
        try:
            finished = await worker.run(ref_of(entry), arguments, context_fields(ctx), platform, log, usage)
        except WorkerGone as gone:
            if worker.over_memory:
                raise RunFailed(self._over_limit(entry, worker.over_memory)) from None
            raise RunFailed(f"{entry.name!r} failed: {gone}; the worker was replaced") from None
        else:
            if self.memory_limit and usage.peak_bytes and usage.peak_bytes > self.memory_limit:
                worker.kill("over its memory limit")
                raise RunFailed(self._over_limit(entry, usage.peak_bytes))
            if finished.left_running:  # nothing of one caller's run may still run during another caller's
                worker.kill("its run left tasks or threads running")
            return finished
        finally:
            self._release(worker)

    async def check(self, entry: RegisteredWorkflow, arguments: dict[str, Any]) -> list[str]:
        """What a worker finds wrong with `arguments` for `entry` (nothing: []), before a run is queued.

        The host of isolation "process" holds schemas, not types: the worker's own model decides, as it would
        when the run starts, so a queued run is refused now with the same problems rather than failing later.
        """
        worker = await self._acquire()
        try:
            return await worker.check(ref_of(entry), arguments)
        except WorkerGone as gone:
            raise RunFailed(f"the arguments of {entry.name!r} could not be checked: {gone}") from None
        finally:
            self._release(worker)

    def _over_limit(self, entry: RegisteredWorkflow, peak: int) -> str:
        return (
            f"{entry.name!r} exceeded the worker memory limit of {self.memory_limit // _MIB} MiB (it reached "
            f"{peak // _MIB} MiB); its worker was replaced"
        )

    async def _acquire(self) -> WorkerProcess:
        while self._idle:
            worker = self._idle.pop()  # the most recently used: warm in the caches and the scheduler
            if worker.alive and worker.generation == self.generation:
                self._busy.set()
                return worker
        if self._closed:
            raise RunFailed("the host is stopping: no worker can take the run")
        self._replenish()
        waiter: asyncio.Future[WorkerProcess] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            worker = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())  # handed over just as the wait was cancelled: pass it on
            raise
        self._busy.set()
        return worker

    def _release(self, worker: WorkerProcess) -> None:
        if not worker.alive or worker.generation != self.generation or self._closed:
            self._retire(worker, "retired")
            self._replenish()
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _retire(self, worker: WorkerProcess, reason: str) -> None:
        self._workers.discard(worker)
        worker.kill(reason)

    def _replenish(self) -> None:
        missing = self.size - sum(1 for w in self._workers if w.alive and w.generation == self.generation)
        for _ in range(missing - self._starting):
            self._starting += 1
            self._background(self._start_one(self.generation))

    async def _start_one(self, generation: int) -> None:
        delay = 0.5
        counted = True
        try:
            while not self._closed and generation == self.generation:
                try:
                    worker = await WorkerProcess.start(self._hello(generation), generation, timeout=self.start_timeout)
                except (WorkerGone, OSError) as exc:
                    logger.error("worker start failed (retrying in %.1f s): %s", delay, exc)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 30.0)
                    continue
                self._starting -= 1
                counted = False
                self._adopt(worker)
                return
        finally:
            if counted:
                self._starting -= 1

    async def _reap(self, worker: WorkerProcess) -> None:
        """When a worker ends (crash, kill), forget it and start its replacement."""
        await asyncio.shield(worker.exited)  # shielded: cancelling this task must not cancel the shared future
        self._workers.discard(worker)
        if not self._closed:
            self._replenish()

    async def _watch_memory(self) -> None:
        """Kill a busy worker whose resident memory passes the limit (its run fails saying so)."""
        if not self.memory_limit:
            return
        while True:
            await self._busy.wait()
            await asyncio.sleep(MEMORY_CHECK_SECONDS)
            busy = [w for w in self._workers if w.busy]
            if not busy:
                self._busy.clear()
            for worker in busy:
                rss = usage.rss_bytes(worker.pid)
                if rss is not None and rss > self.memory_limit:
                    worker.over_memory = rss
                    worker.kill("over its memory limit")

    def _background(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        self._closed = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(RunFailed("the host is stopping: no worker can take the run"))
        for task in list(self._tasks):
            task.cancel()
        workers = list(self._workers)
        for worker in workers:
            worker.kill("the host is stopping")
        for worker in workers:
            await asyncio.shield(worker.exited)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
