"""Group commit of execution records: one writer task, one transaction per batch, and waiters told when theirs lands.

A finished record comes with a waiter: the runner hands its result to the caller only once the batch holding the
record is committed, so every acknowledged call survives a crash of the process. Batches form by themselves:
what finishes in one pass of the event loop is committed together at the start of the next, right there on the
loop when it is small and nothing else is writing (a task wake-up and a lock cost as much as such a commit's
SQL), else by the writer task; whatever finishes while a commit runs goes into the next one. A run that
merely started is written only once it has run for `commit_interval` (then as Running, without its input), so a
short run is one row write.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from functools import partial
from typing import Any

from bifrost.errors import BifrostError
from bifrost_mcp.executions.encoding import EncodedRecord, encode
from bifrost_mcp.executions.owners import Owner
from bifrost_mcp.executions.records import ExecutionRecord
from bifrost_mcp.storage import Database, WriteBusy

logger = logging.getLogger(__name__)

_UPSERT = (
    "INSERT OR REPLACE INTO executions (id, workflow_name, scope, org_id, executed_by, executed_by_name, "
    "executed_by_email, status, input_json, result_json, result_type, error_message, started_at, completed_at, "
    "duration_ms, peak_memory_bytes, cpu_total_seconds, ai_input_tokens, ai_output_tokens, session_id, runner_pid, "
    "runner_started, trigger, runner_id) VALUES (" + ", ".join("?" * 24) + ")"
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


def _latest(records: list[EncodedRecord]) -> list[EncodedRecord]:
    # A run that finished twice over cannot happen; one whose row is both begun and final keeps the final.
    return list({encoded.id: encoded for encoded in records}.values())


class GroupCommit:
    def __init__(self, db: Database, owner: Owner, *, commit_interval: float) -> None:
        self.db = db
        self.owner = owner
        self.commit_interval = commit_interval
        self._begun: dict[str, tuple[ExecutionRecord, float]] = {}  # running, not on disk yet; oldest first
        self._finished: list[tuple[EncodedRecord, asyncio.Future[None] | None]] = []
        # Flushes waiting for the next batch, which then takes the runs that just began too. A flush waits for its
        # own batch, not for the writer to be idle: under steady load there is always a run that just began.
        self._flushes: list[asyncio.Future[None]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._commit_soon: asyncio.Handle | None = None  # `_commit_now` at the start of the next loop pass
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="bifrost-execution-writer")

    async def stop(self) -> None:
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def begin(self, record: ExecutionRecord) -> None:
        """Note a started run: its row is written only if it is still running `commit_interval` from now."""
        loop = asyncio.get_running_loop()
        self._begun[record.id] = (record, loop.time())
        if self._timer is None:
            self._timer = loop.call_later(self.commit_interval, self._due)
        self._ensure_writer()

    def finish(self, encoded: EncodedRecord) -> asyncio.Future[None]:
        """Queue a finished record; the future resolves once it is committed (or fails with RecordNotSaved)."""
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        waiter.add_done_callback(_retrieved)
        self._finished.append((encoded, waiter))
        if self._commit_soon is None:
            self._commit_soon = loop.call_soon(self._commit_now)
        return waiter

    async def flush(self) -> None:
        """Wait until everything submitted so far is committed, runs that just began included."""
        if self._task is None or self._task.done():
            await self._write(*self._take(everything=True))
            return
        done = asyncio.get_running_loop().create_future()
        self._flushes.append(done)
        self._wake.set()
        await done

    def _ensure_writer(self) -> None:
        if self._task is None or self._task.done():  # not started (or stopped): nobody else would write it
            asyncio.get_running_loop().create_task(self.flush())

    def _commit_now(self) -> None:
        """Commit what finished during the last loop pass, here when small and the database is free."""
        self._commit_soon = None
        if not self._finished:
            return
        if sum(encoded.size for encoded, _ in self._finished) > INLINE_BATCH_BYTES:
            self._to_writer()
            return
        finished = list(self._finished)
        records, waiters = self._take(everything=False)
        try:
            self.db.small_transaction_now(partial(_write_rows, _latest(records)))
        except (WriteBusy, sqlite3.Error):
            # Rolled back, nothing written: the writer task commits them, waiting for the lock or record by record.
            taken = {encoded.id for encoded, _ in finished}
            self._finished[:0] = finished + [(encoded, None) for encoded in records if encoded.id not in taken]
            self._to_writer()
            return
        for _, waiter in waiters:
            _settle(waiter)

    def _to_writer(self) -> None:
        self._wake.set()
        self._ensure_writer()

    def _due(self) -> None:
        self._timer = None
        self._wake.set()

    def _take(self, *, everything: bool) -> tuple[list[EncodedRecord], list[tuple[str, asyncio.Future[None]]]]:
        finished, self._finished = self._finished, []
        records = [encoded for encoded, _ in finished]
        waiters = [(encoded.id, waiter) for encoded, waiter in finished if waiter is not None]
        for encoded in records:
            self._begun.pop(encoded.id, None)  # finished before its first row was due: one row write
        loop = asyncio.get_running_loop()
        due = loop.time() - self.commit_interval
        while self._begun:
            execution_id, (record, began) = next(iter(self._begun.items()))
            if began > due and not everything:
                if self._timer is None:
                    self._timer = loop.call_at(began + self.commit_interval, self._due)
                break
            del self._begun[execution_id]
            records.append(encode(record, self.owner, final=False))
        return records, waiters

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            flushes, self._flushes = self._flushes, []
            await self._write(*self._take(everything=bool(flushes)))
            for done in flushes:
                _settle(done)

    async def _write(self, records: list[EncodedRecord], waiters: list[tuple[str, asyncio.Future[None]]]) -> None:
        """Commit `records` (never raises): one transaction, or record by record when that fails."""
        if not records:
            return
        latest = _latest(records)
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
