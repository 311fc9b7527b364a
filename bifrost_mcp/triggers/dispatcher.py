"""The dispatcher: runs queued (async) runs while serving, each through App.run as the caller who submitted it.

It claims the oldest Pending runs of the data dir's queue (`executions.queue`) up to its concurrency, woken at
once by a submit in this process and polling for those of others. The caller is rebuilt from what was stored at
submit time and passed through the gate again when the run starts: a revoked token, a deactivated user or a
workflow no longer visible fails the run, saying so. Cancel requests for its runs are polled for too.
"""

from __future__ import annotations

import logging

import anyio

from bifrost_mcp.app import App
from bifrost_mcp.errors import AuthenticationError
from bifrost_mcp.executions.queue import QueuedRun
from bifrost_mcp.executions.records import Trigger

logger = logging.getLogger(__name__)

CANCELLED_ON_REQUEST = "cancelled on request (`bifrost-mcp executions cancel` or the client's tasks/cancel)"
CANCELLED_AT_STOP = "cancelled: the server stopped while it ran"


def caller_refused(reason: str) -> str:
    return f"not run: the caller who submitted it may no longer run workflows ({reason})"


def workflow_gone(name: str) -> str:
    return (
        f"not run: workflow {name!r} is not available to the caller who submitted it (it was removed from the "
        "workspace, or is no longer visible to them)"
    )


class Dispatcher:
    """Runs the queue's runs, at most `concurrency` at a time (default: the host's async_concurrency)."""

    def __init__(self, app: App, *, concurrency: int | None = None, poll_seconds: float | None = None) -> None:
        settings = app.host.settings
        self.app = app
        self.queue = app.host.queue
        self.concurrency = concurrency or settings.async_concurrency
        self.poll_seconds = poll_seconds or settings.queue_poll_seconds
        self._running: dict[str, anyio.CancelScope] = {}

    @property
    def running(self) -> list[str]:
        """The ids of the runs this dispatcher is running now."""
        return list(self._running)

    async def run(self) -> None:
        """Dispatch until cancelled; runs still going then are cancelled and recorded so, before this returns."""
        removed = await self.queue.tidy()
        if removed:
            logger.info("forgot the queue rows of %d run(s) that finished in a stopped process", removed)
        async with anyio.create_task_group() as runs:
            try:
                while True:
                    await self._step(runs)
                    await self.queue.wait(self.poll_seconds)
            finally:
                # Each run is shielded from the cancel that stops us, so that it is cancelled here, saying why.
                for execution_id, scope in self._running.items():
                    self.app.runner.cancel_reason(execution_id, CANCELLED_AT_STOP)
                    scope.cancel()

    async def _step(self, runs: anyio.abc.TaskGroup) -> None:
        try:
            for execution_id in await self.queue.cancel_requested(self.running):
                scope = self._running.get(execution_id)
                if scope is not None:  # else it finished meanwhile
                    self.app.runner.cancel_reason(execution_id, CANCELLED_ON_REQUEST)
                    scope.cancel()
            for queued in await self.queue.claim(self.concurrency - len(self._running)):
                scope = anyio.CancelScope(shield=True)
                self._running[queued.record.id] = scope
                runs.start_soon(self._run_one, queued, scope, name=f"bifrost-queued-{queued.record.id}")
        except Exception:  # a busy or failing database must not end dispatching: the next poll tries again
            logger.exception("the queue of async runs could not be read")

    async def _run_one(self, queued: QueuedRun, scope: anyio.CancelScope) -> None:
        record = queued.record
        try:
            with scope:
                await self._start(queued)
        except Exception:  # a record that could not be saved: the store has logged it; the others go on
            logger.exception("queued execution %s could not be completed", record.id)
        finally:
            self._running.pop(record.id, None)
            with anyio.CancelScope(shield=True):
                await self.queue.done(record.id)

    async def _start(self, queued: QueuedRun) -> None:
        record, app = queued.record, self.app
        try:
            caller = await app.host.callers.as_submitted(record.executed_by, queued.credential_id, record.org_id)
        except AuthenticationError as exc:
            await app.runner.fail(record, caller_refused(exc.reason))
            return
        entry = app.find_workflow(caller, record.workflow_name)
        if entry is None:
            await app.runner.fail(record, workflow_gone(record.workflow_name))
            return
        trigger: Trigger = record.trigger or "mcp"
        await app.run(entry, queued.arguments, caller, trigger=trigger, execution_id=record.id)


__all__ = ["CANCELLED_AT_STOP", "CANCELLED_ON_REQUEST", "Dispatcher"]
