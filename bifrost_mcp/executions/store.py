"""Execution records in SQLite, written by one group-commit writer (`writer`) so that recording every call stays cheap.

The runner hands started records to `begin` and finished ones to `finish`, whose commit it awaits before
answering. Reads call `flush()` first, which commits at once, so every reader sees what was submitted before
it. Executions still running live in memory (`live`), which is also where in-flight logs are read from.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any

from bifrost.enums import ExecutionStatus
from bifrost.errors import ValidationError
from bifrost_mcp.clock import SYSTEM_CLOCK, Clock
from bifrost_mcp.executions import owners
from bifrost_mcp.executions.encoding import encode, log_from_row, record_from_row
from bifrost_mcp.executions.limits import DEFAULT_LIMITS, RecordLimits
from bifrost_mcp.executions.records import ExecutionRecord, LogEntry, iso, utc_now
from bifrost_mcp.executions.runners import Leases
from bifrost_mcp.executions.schema import MIGRATIONS
from bifrost_mcp.executions.writer import GroupCommit
from bifrost_mcp.settings import RUNNER_LEASE_SECONDS
from bifrost_mcp.storage import Database

logger = logging.getLogger(__name__)

__all__ = ["MIGRATIONS", "STOPPED_MESSAGE", "ExecutionsStore"]

STOPPED_MESSAGE = "host stopped while running"
# How long a run runs before its Running row is written (seconds): most runs are shorter and are written once,
# finished. Finished records never wait for it (see `writer`), and readers neither: `flush()` commits at once.
COMMIT_INTERVAL = 0.02


def _bound(value: str, name: str, *, end: bool) -> str:
    """An ISO date or datetime filter as a UTC string comparable with started_at; a bare end date is inclusive."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{name} must be an ISO date or datetime such as 2026-04-25, got {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if end and len(value) == 10:
        moment += timedelta(days=1) - timedelta(microseconds=1)
    return iso(moment) or ""


class ExecutionsStore:
    def __init__(
        self,
        db: Database,
        *,
        commit_interval: float = COMMIT_INTERVAL,
        limits: RecordLimits = DEFAULT_LIMITS,
        clock: Clock = SYSTEM_CLOCK,
        lease_seconds: float = RUNNER_LEASE_SECONDS,
        owner: owners.Owner | None = None,
    ) -> None:
        self.db = db
        self.limits = limits
        self.live: dict[str, ExecutionRecord] = {}
        self.owner = owner or owners.current()
        self.leases = Leases(db, self.owner, clock, lease_seconds=lease_seconds)
        self._writer = GroupCommit(db, self.owner, commit_interval=commit_interval)
        self._heartbeat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.leases.register()  # before any record names it
        await self.recover()
        self._writer.start()
        self._heartbeat = asyncio.create_task(self._keep_lease(), name="bifrost-runner-lease")

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
            self._heartbeat = None
        await self._writer.stop()
        await self.leases.release()

    async def _keep_lease(self) -> None:
        """Refresh this process's lease, and mark the runs of processes found gone meanwhile (see `runners`)."""
        while True:
            await asyncio.sleep(self.leases.refresh_seconds)
            try:
                await self.leases.refresh()
                await self.recover()
            except Exception:  # the database busy or closing: the next round tries again; never the host's end
                logger.exception("refreshing the runner lease failed")

    async def recover(self) -> int:
        """Mark executions left Pending/Running by a process that is gone as Failed; returns how many.

        Runs of a live process sharing the data dir (another server, on this machine or another, or another Host
        in this process) stay as they are: `runners.Leases` tells which owners are gone. So do queued runs nobody
        has claimed yet (owner pid 0: see `queue`), which are run when a server picks them up.
        """
        changed = 0
        for gone in await self.leases.gone_owners():
            changed += await self.db.execute(
                "UPDATE executions SET status = 'Failed', error_message = ?, completed_at = ? "
                "WHERE status IN ('Pending', 'Running') AND runner_id IS ? AND runner_pid = ? AND runner_started IS ?",
                (STOPPED_MESSAGE, iso(utc_now()), gone.id, gone.pid, gone.started),
            )
            if gone.id is not None:
                await self.leases.forget(gone)
        if changed:
            logger.warning("marked %d execution(s) of stopped processes as Failed", changed)
        return changed

    def begin(self, record: ExecutionRecord) -> None:
        """Track a started execution (in memory at once; on disk with a later group commit)."""
        record.limits = self.limits
        self.live[record.id] = record
        self._writer.begin(record)

    def finish(self, record: ExecutionRecord) -> Awaitable[None]:
        """Store a finished execution; await the result to know it is committed (RecordNotSaved if it cannot be).

        Encoded now, on its own: nothing in one record can fail the transaction that carries the others.
        """
        self.live.pop(record.id, None)
        return self._writer.finish(encode(record, self.owner, final=True))

    async def flush(self) -> None:
        """Wait until everything submitted so far is committed."""
        await self._writer.flush()

    async def get(self, execution_id: str) -> ExecutionRecord | None:
        if (record := self.live.get(execution_id)) is not None:
            return record
        await self.flush()
        row = await self.db.fetchone("SELECT * FROM executions WHERE id = ?", (execution_id,))
        return record_from_row(row) if row is not None else None

    async def logs(self, execution_id: str, after_seq: int = 0, count: int = 100) -> list[LogEntry]:
        if (record := self.live.get(execution_id)) is not None:
            return [e for e in record.logs if e.seq > after_seq][:count]
        await self.flush()
        rows = await self.db.fetchall(
            "SELECT * FROM execution_logs WHERE execution_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (execution_id, after_seq, count),
        )
        return [log_from_row(r) for r in rows]

    async def query(
        self,
        *,
        scope: str | None = None,
        executed_by: str | None = None,
        workflow_name: str | None = None,
        status: str | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
        limit: int = 50,
    ) -> list[ExecutionRecord]:
        """Newest first. Filters compose with AND; `scope`/`executed_by` come from access.execution_visibility."""
        await self.flush()
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("scope", scope), ("executed_by", executed_by), ("workflow_name", workflow_name)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if status is not None:
            valid = {s.value.lower(): s.value for s in ExecutionStatus}
            if status.lower() not in valid:
                raise ValidationError(f"unknown status {status!r}; one of {', '.join(valid.values())}")
            clauses.append("status = ?")
            params.append(valid[status.lower()])
        if start_date is not None:
            clauses.append("started_at >= ?")
            params.append(_bound(start_date, "start_date", end=False))
        if end_date is not None:
            clauses.append("started_at <= ?")
            params.append(_bound(end_date, "end_date", end=True))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = await self.db.fetchall(
            f"SELECT * FROM executions {where} ORDER BY started_at DESC, id DESC LIMIT ?", (*params, limit)
        )
        return [record_from_row(r) for r in rows]
