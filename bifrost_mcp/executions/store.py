"""Execution records in SQLite, written by one group-commit writer so that recording every call stays cheap.

The runner hands finished and started records to `submit`; a single writer task drains everything queued
within `COMMIT_INTERVAL` into one transaction, run on the database thread in one round trip. Reads call
`flush()` first, which commits at once, so every reader sees what was submitted before it.
Executions still running live in memory (`live`), which is also where in-flight logs are read from.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from bifrost.enums import ExecutionStatus
from bifrost.errors import ValidationError
from bifrost_mcp.executions.encoding import EncodedRecord, encode
from bifrost_mcp.executions.records import ExecutionRecord, LogEntry, iso, log_from_row, record_from_row, utc_now
from bifrost_mcp.storage import Database, Migration

logger = logging.getLogger(__name__)

MIGRATIONS = [
    Migration(
        100,
        "executions",
        """
        CREATE TABLE executions (
            id TEXT PRIMARY KEY,
            workflow_name TEXT NOT NULL,
            scope TEXT NOT NULL,
            org_id TEXT,
            executed_by TEXT NOT NULL,
            executed_by_name TEXT NOT NULL,
            executed_by_email TEXT NOT NULL,
            status TEXT NOT NULL,
            input_json TEXT NOT NULL,
            result_json TEXT,
            result_type TEXT,
            error_message TEXT,
            started_at TEXT NOT NULL,
            completed_at TEXT,
            duration_ms INTEGER,
            peak_memory_bytes INTEGER,
            cpu_total_seconds REAL,
            ai_input_tokens INTEGER NOT NULL DEFAULT 0,
            ai_output_tokens INTEGER NOT NULL DEFAULT 0,
            session_id TEXT,
            runner_pid INTEGER NOT NULL
        );
        CREATE INDEX executions_scope_started ON executions (scope, started_at);
        CREATE INDEX executions_user_started ON executions (executed_by, started_at);
        CREATE INDEX executions_started ON executions (started_at);
        CREATE INDEX executions_unfinished ON executions (status) WHERE status IN ('Pending', 'Running');
        CREATE TABLE execution_logs (
            execution_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            level TEXT NOT NULL,
            message TEXT NOT NULL,
            metadata_json TEXT,
            timestamp TEXT NOT NULL,
            PRIMARY KEY (execution_id, seq)
        ) WITHOUT ROWID;
        """,
    )
]

_UPSERT = (
    "INSERT OR REPLACE INTO executions (id, workflow_name, scope, org_id, executed_by, executed_by_name, "
    "executed_by_email, status, input_json, result_json, result_type, error_message, started_at, completed_at, "
    "duration_ms, peak_memory_bytes, cpu_total_seconds, ai_input_tokens, ai_output_tokens, session_id, runner_pid) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_LOG_INSERT = (
    "INSERT OR REPLACE INTO execution_logs (execution_id, seq, level, message, metadata_json, timestamp) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
STOPPED_MESSAGE = "server stopped during execution"
# How long the writer lets a batch gather before committing it (seconds): one transaction (and one thread round
# trip) then carries every call that finished meanwhile, and a short run's start and finish become one row write.
# A commit costs about as much as a whole tools/call; this is what keeps recording every call cheap. Readers never
# wait for it: `flush()` commits at once.
COMMIT_INTERVAL = 0.02


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _write_rows(records: list[EncodedRecord], conn: sqlite3.Connection) -> None:
    conn.executemany(_UPSERT, [r.row for r in records])
    logs = [log for r in records for log in r.logs]
    if logs:
        conn.executemany(_LOG_INSERT, logs)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
    def __init__(self, db: Database, *, commit_interval: float = COMMIT_INTERVAL) -> None:
        self.db = db
        self.live: dict[str, ExecutionRecord] = {}
        self.commit_interval = commit_interval
        self._pending: list[EncodedRecord] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._gathering: asyncio.Future[None] | None = None  # the writer's wait while a batch gathers
        self._writer: asyncio.Task[None] | None = None
        self._pid = os.getpid()

    async def start(self) -> None:
        await self.recover()
        self._writer = asyncio.create_task(self._write_loop(), name="bifrost-execution-writer")

    async def stop(self) -> None:
        await self.flush()
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None

    async def recover(self) -> int:
        """Mark executions left Pending/Running by a process that is gone as Failed."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT runner_pid FROM executions WHERE status IN ('Pending', 'Running')"
        )
        dead = [r["runner_pid"] for r in rows if r["runner_pid"] == self._pid or not _pid_alive(r["runner_pid"])]
        changed = 0
        for pid in dead:
            changed += await self.db.execute(
                "UPDATE executions SET status = 'Failed', error_message = ?, completed_at = ? "
                "WHERE status IN ('Pending', 'Running') AND runner_pid = ?",
                (STOPPED_MESSAGE, iso(utc_now()), pid),
            )
        if changed:
            logger.warning("marked %d execution(s) of stopped processes as Failed", changed)
        return changed

    def begin(self, record: ExecutionRecord) -> None:
        """Track a started execution (in memory at once; on disk with the next group commit)."""
        self.live[record.id] = record
        self._submit(encode(record, self._pid, final=False))

    def finish(self, record: ExecutionRecord) -> None:
        self.live.pop(record.id, None)
        self._submit(encode(record, self._pid, final=True))

    def _submit(self, encoded: EncodedRecord) -> None:
        # Encoded now, on its own: nothing in one record can fail the transaction that carries the others.
        self._pending.append(encoded)
        self._idle.clear()
        self._wake.set()

    async def flush(self) -> None:
        """Wait until everything submitted so far is committed."""
        if self._writer is None or self._writer.done():
            await self._write_batch()
            return
        if self._gathering is not None and not self._gathering.done():
            self._gathering.set_result(None)  # commit now rather than at the end of the interval
        await self._idle.wait()

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            if self.commit_interval > 0:
                self._gathering = loop.create_future()
                timer = loop.call_later(self.commit_interval, _resolve, self._gathering)
                try:
                    await self._gathering
                finally:
                    timer.cancel()
                    self._gathering = None
            self._wake.clear()
            try:
                await self._write_batch()
            except Exception:  # the writer must survive a bad batch; that batch's records are lost (and logged)
                logger.exception("failed to write execution records")
            if not self._pending:
                self._idle.set()

    async def _write_batch(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        # A run that started and finished within one batch is one row write: its final row replaces the first.
        latest = list({encoded.id: encoded for encoded in batch}.values())
        try:  # the whole batch is one transaction and one thread round trip
            await self.db.run_in_transaction(partial(_write_rows, latest))
        except sqlite3.Error:
            logger.exception("a group commit of %d execution record(s) failed; writing them one by one", len(latest))
            for encoded in latest:
                try:
                    await self.db.run_in_transaction(partial(_write_rows, [encoded]))
                except sqlite3.Error:
                    logger.exception("execution record %s could not be written", encoded.id)

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
