"""Cron schedules while the host serves: each due time fires one run through App.run, on one host of the data dir.

A run goes through the gate and the runner like any call, as the scheduler principal (`caller.SCHEDULER`), and
its record says trigger "schedule". The database decides who fires (see `schedules.store`): a host claims a
due time with one conditional UPDATE and holds a lease on the schedule while the run goes, renewed on every
tick; a due time that comes while a run is still in flight is skipped (counted, and logged); a schedule whose
due times passed while no host served fires once, the passed ones counted as missed.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import anyio
from anyio.abc import TaskGroup

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.caller import SCHEDULER
from bifrost_mcp.schedules.cron import parse
from bifrost_mcp.schedules.records import ScheduleState
from bifrost_mcp.schedules.store import SyncReport
from bifrost_mcp.workspace import RegisteredWorkflow, Registry

logger = logging.getLogger(__name__)

LEASE_SECONDS = 60.0  # how long a dead host's run blocks its schedule; renewed every tick while the run goes
POLL_SECONDS = 1.0  # the longest wait between two looks at the table (another host's pause, resume, claim)
MISSED_LIMIT = 10_000  # missed due times counted at most (a seconds schedule after a week's downtime)
STOPPED_MESSAGE = "the host stopped during the run"


@dataclass(slots=True)
class Tick:
    """What one look at the table did, and when the next due time this host could act on comes."""

    fired: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    wake_at: datetime | None = None

    def wake(self, moment: datetime) -> None:
        self.wake_at = moment if self.wake_at is None else min(self.wake_at, moment)


class Scheduler:
    def __init__(
        self,
        app: App,
        *,
        owner: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.app = app
        self.store = app.host.schedules
        self.clock = app.host.clock
        # unique per Scheduler: two hosts in one process (tests) hold leases apart
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self._in_flight: dict[str, anyio.Event] = {}
        self._runs: TaskGroup | None = None
        self._changed = anyio.Event()
        self._unsynced: Registry | None = None  # a registry whose sync failed, tried again on the next tick

    async def serve(self) -> None:
        """Fire due schedules until cancelled, following hot reloads."""
        async with self.started():
            while True:
                try:
                    wake_at = (await self.tick()).wake_at
                except Exception:  # the scheduler must never take the server down (a locked database)
                    logger.exception("schedules: tick failed; trying again in %s s", self.poll_seconds)
                    wake_at = None
                # with no schedule, no run to renew the lease of and no sync to retry, it waits for a reload
                busy = _scheduled(self.app.registry) or self._in_flight or self._unsynced is not None
                delay = self.poll_seconds if busy else math.inf
                if wake_at is not None:
                    delay = min(delay, max(0.0, (wake_at - self.clock.now()).total_seconds()))
                with anyio.move_on_after(delay):
                    await self._changed.wait()
                self._changed = anyio.Event()

    @asynccontextmanager
    async def started(self) -> AsyncIterator[Scheduler]:
        """The schedules synced with the registry and kept in step on reload; runs go in this context's task group.

        Leaving it cancels the runs in flight (their records say Cancelled) and releases their leases.
        """
        async with anyio.create_task_group() as runs:
            self._runs = runs
            stop_following = self.app.on_registry_change(self._reloaded)
            try:
                await self._sync_or_later(self.app.registry)
                yield self
            finally:
                stop_following()
                self._runs = None
                runs.cancel_scope.cancel()

    async def sync(self, registry: Registry) -> SyncReport:
        wanted = {entry.name: parse(entry.spec.schedule) for entry in _scheduled(registry)}
        report = await self.store.sync(wanted, self.clock.now())
        self._unsynced = None
        for verb, names in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
            if names:
                logger.info("schedules %s: %s", verb, ", ".join(names))
        return report

    async def tick(self) -> Tick:
        """Fire (or skip) every schedule due by the clock's now; the runs start in the background."""
        if self._runs is None:
            raise RuntimeError("Scheduler.tick() runs inside `async with scheduler.started()`")
        if self._unsynced is not None:
            await self.sync(self._unsynced)
        now = self.clock.now()
        tick = Tick()
        if self._in_flight:  # before reading: our own runs must never look expired to us
            await self.store.renew(self.owner, list(self._in_flight), now + self.lease)
        for state in await self.store.list():
            entry = self.app.registry.workflows.get(state.name)
            if state.paused or entry is None or entry.spec.schedule != state.expression:
                continue  # another host's registry version: it acts on it, this one syncs on its reload
            if state.next_due > now:
                tick.wake(state.next_due)
                continue
            cron = parse(state.expression)
            next_due = cron.next_after(now)
            if state.leased(now) or state.name in self._in_flight:
                if await self.store.skip(state, now=now, next_due=next_due):
                    tick.skipped.append(state.name)
                    logger.warning(
                        "schedule %r: skipped the run due at %s: the run started at %s is still going",
                        state.name, state.next_due.isoformat(), state.last_started and state.last_started.isoformat(),
                    )  # fmt: skip
            else:
                missed = cron.due_count(state.next_due, now, limit=MISSED_LIMIT) - 1
                claimed = await self.store.claim(
                    state, now=now, owner=self.owner, lease_until=now + self.lease, next_due=next_due, missed=missed
                )
                if claimed:
                    self._fire(entry, state, missed)
                    tick.fired.append(state.name)
            tick.wake(next_due)
        return tick

    async def idle(self) -> None:
        """Wait until no run this scheduler started is in flight."""
        while self._in_flight:
            await next(iter(self._in_flight.values())).wait()

    def _fire(self, entry: RegisteredWorkflow, state: ScheduleState, missed: int) -> None:
        assert self._runs is not None
        if missed:
            logger.warning(
                "schedule %r: %s due time(s) from %s passed with no host serving; coalesced into one run",
                entry.name, f"{missed}+" if missed >= MISSED_LIMIT - 1 else missed, state.next_due.isoformat(),
            )  # fmt: skip
        self._in_flight[entry.name] = anyio.Event()
        self._runs.start_soon(self._run, entry, name=f"schedule {entry.name}")

    async def _run(self, entry: RegisteredWorkflow) -> None:
        run_id: str | None = None
        message: str | None = STOPPED_MESSAGE  # unless the run comes back
        status = ExecutionStatus.CANCELLED.value
        try:
            outcome = await self.app.run(entry, {}, SCHEDULER, trigger="schedule")
            run_id, status, message = outcome.execution_id, outcome.record.status.value, outcome.message
        except Exception as exc:  # the gate refusing (a reload changed the workflow): this schedule's run only
            status, message = ExecutionStatus.FAILED.value, str(exc)
            logger.error("schedule %r: the run could not start: %s", entry.name, exc)
        finally:
            with anyio.CancelScope(shield=True):  # run boundary: the lease is released even on shutdown
                try:
                    await self.store.finish(
                        entry.name, self.owner, finished=self.clock.now(), run_id=run_id, status=status,
                        message=message,
                    )  # fmt: skip
                except Exception:  # the lease then expires on its own; the server must not go down with it
                    logger.exception("schedule %r: could not record the run's end", entry.name)
                finally:
                    self._in_flight.pop(entry.name).set()

    async def _reloaded(self, registry: Registry) -> None:
        await self._sync_or_later(registry)
        self._changed.set()

    async def _sync_or_later(self, registry: Registry) -> None:
        try:
            await self.sync(registry)
        except Exception:  # a locked database: the next tick tries again, rather than the server going down
            logger.exception("schedules: could not sync with the workspace; trying again on the next tick")
            self._unsynced = registry


def _scheduled(registry: Registry) -> list[RegisteredWorkflow]:
    return [entry for entry in registry.workflows.values() if entry.spec.schedule is not None]


__all__ = ["LEASE_SECONDS", "POLL_SECONDS", "Scheduler", "Tick"]
