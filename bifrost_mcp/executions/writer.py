"""Group commit of execution records: one writer task, one transaction per batch, and waiters told when theirs lands.

A finished record comes with a waiter: the runner hands its result to the caller only once the batch holding the
record is committed, so every acknowledged call survives a crash of the process. Batches form by themselves: a
finish is committed at once, and whatever is submitted while that commit runs goes into the next one. Rows of
runs that merely started have no waiter; they gather for `commit_interval`, so a short run's start and finish
usually become one row write.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from functools import partial
from typing import Any

from bifrost.errors import BifrostError
from bifrost_mcp.executions.encoding import EncodedRecord
from bifrost_mcp.storage import Database

logger = logging.getLogger(__name__)

_UPSERT = (
    "INSERT OR REPLACE INTO executions (id, workflow_name, scope, org_id, executed_by, executed_by_name, "
    "executed_by_email, status, input_json, result_json, result_type, error_message, started_at, completed_at, "
    "duration_ms, peak_memory_bytes, cpu_total_seconds, ai_input_tokens, ai_output_tokens, session_id, runner_pid, "
    "runner_started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_LOG_INSERT = (
    "INSERT OR REPLACE INTO execution_logs (execution_id, seq, level, message, metadata_json, timestamp) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
# A batch this small commits on the event loop's thread: the thread round trip would cost more than the write.
INLINE_BATCH_BYTES = 64 * 1024


class RecordNotSaved(BifrostError):
    """The run finished but its execution record could not be committed, so its result is not acknowledged."""


def _write_rows(records: list[EncodedRecord], conn: sqlite3.Connection) -> None:
    conn.executemany(_UPSERT, [r.row for r in records])
    logs = [log for r in records for log in r.logs]
    if logs:
        conn.executemany(_LOG_INSERT, logs)


def _settle(waiter: asyncio.Future[None], error: BaseException | None = None) -> None:
    if waiter.done():  # its runner was cancelled meanwhile
        return
    if error is None:
        waiter.set_result(None)
    else:
        waiter.set_exception(error)


def _retrieved(waiter: asyncio.Future[None]) -> None:
    # A cancelled run submits its record without awaiting it; the store has logged any failure itself.
    if not waiter.cancelled():
        waiter.exception()


class GroupCommit:
    def __init__(self, db: Database, *, commit_interval: float) -> None:
        self.db = db
        self.commit_interval = commit_interval
        self._pending: list[tuple[EncodedRecord, asyncio.Future[None] | None]] = []
        self._waiters = 0  # of `_pending`: while any, the writer commits without gathering
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._gathering: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="bifrost-execution-writer")

    async def stop(self) -> None:
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def submit(self, encoded: EncodedRecord, *, wait: bool) -> asyncio.Future[None] | None:
        """Queue `encoded`; with `wait`, a future that resolves once it is committed (or fails with RecordNotSaved)."""
        waiter: asyncio.Future[None] | None = None
        if wait:
            waiter = asyncio.get_running_loop().create_future()
            waiter.add_done_callback(_retrieved)
            self._waiters += 1
            self._commit_now()
        self._pending.append((encoded, waiter))
        self._idle.clear()
        self._wake.set()
        if self._task is None or self._task.done():  # not started (or stopped): nobody else would write it
            asyncio.get_running_loop().create_task(self.flush())
        return waiter

    async def flush(self) -> None:
        """Wait until everything submitted so far is committed."""
        if self._task is None or self._task.done():
            await self._write(self._take())
            return
        self._commit_now()
        await self._idle.wait()

    def _commit_now(self) -> None:
        if self._gathering is not None and not self._gathering.done():
            self._gathering.set_result(None)

    def _take(self) -> list[tuple[EncodedRecord, asyncio.Future[None] | None]]:
        batch, self._pending, self._waiters = self._pending, [], 0
        return batch

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            if self.commit_interval > 0 and not self._waiters:
                self._gathering = loop.create_future()
                timer = loop.call_later(self.commit_interval, _settle, self._gathering)
                try:
                    await self._gathering
                finally:
                    timer.cancel()
                    self._gathering = None
            self._wake.clear()
            await self._write(self._take())
            if not self._pending:
                self._idle.set()

    async def _write(self, batch: list[tuple[EncodedRecord, asyncio.Future[None] | None]]) -> None:
        """Commit `batch` (never raises): one transaction, or record by record when that fails."""
        if not batch:
            return
        # A run that started and finished within one batch is one row write: its final row replaces the first.
        latest = list({encoded.id: encoded for encoded, _ in batch}.values())
        waiters = [(encoded.id, waiter) for encoded, waiter in batch if waiter is not None]
        try:
            await self._commit(latest)
        except sqlite3.Error:
            logger.exception("a group commit of %d execution record(s) failed; writing them one by one", len(latest))
            failed = await self._commit_one_by_one(latest)
        else:
            failed = {}
        for execution_id, waiter in waiters:
            error = failed.get(execution_id)
            _settle(waiter, RecordNotSaved(f"execution {execution_id}: {error}") if error else None)

    async def _commit(self, records: list[EncodedRecord]) -> None:
        write = partial(_write_rows, records)
        if sum(r.size for r in records) <= INLINE_BATCH_BYTES:
            await self.db.run_small_transaction(write)
        else:
            await self.db.run_in_transaction(write)

    async def _commit_one_by_one(self, records: list[EncodedRecord]) -> dict[str, Any]:
        failed: dict[str, Any] = {}
        for encoded in records:
            try:
                await self._commit([encoded])
            except sqlite3.Error as exc:
                logger.exception("execution record %s could not be written", encoded.id)
                failed[encoded.id] = f"the record could not be saved ({type(exc).__name__}: {exc})"
        return failed
