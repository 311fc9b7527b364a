"""The durable queue of async runs: submitted Pending, claimed once, run by whichever serving process claims it.

A submitted run is its Pending execution row (without an owner: runner_pid 0) and a queue row holding what the
run needs later: its arguments and the credential of the caller who submitted it. Both are committed before
`submit` returns. A serving process claims a run with a conditional UPDATE (`WHERE status = 'Pending'`), so
several processes sharing a data dir never run one twice; a claimed run is Running with that process as owner,
and is marked Failed like any other if the process dies. Cancelling is a state change for a Pending run, and a
request the owning process's dispatcher polls for (`cancel_requested`) for a Running one.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import anyio

from bifrost.enums import ExecutionStatus
from bifrost_mcp.executions.encoding import record_from_row
from bifrost_mcp.executions.jsonsafe import to_json
from bifrost_mcp.executions.owners import Owner
from bifrost_mcp.executions.records import ExecutionRecord, iso, utc_now
from bifrost_mcp.storage import Database

CANCELLED_PENDING = "cancelled before it started"
# A queued row's owner until it is claimed: no process holds it, and none is dead either (see store.recover).
NO_OWNER = 0
Cancel = Literal["cancelled", "requested"]

_INSERT_PENDING = (
    "INSERT INTO executions (id, workflow_name, scope, org_id, executed_by, executed_by_name, executed_by_email, "
    "status, input_json, started_at, session_id, runner_pid, runner_started, trigger) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 'Pending', '{}', ?, ?, ?, NULL, ?)"
)
_INSERT_QUEUED = (
    "INSERT INTO execution_queue (execution_id, arguments_json, credential_id, queued_at) VALUES (?, ?, ?, ?)"
)
_OLDEST_PENDING = (
    "SELECT q.execution_id FROM execution_queue q JOIN executions e ON e.id = q.execution_id "
    "WHERE e.status = 'Pending' ORDER BY q.queued_at, q.rowid LIMIT ?"
)


@dataclass(frozen=True, slots=True)
class QueuedRun:
    """A claimed run: its execution record as submitted, the arguments, and whose credential submitted it."""

    record: ExecutionRecord
    arguments: dict[str, Any]
    credential_id: str | None


class ExecutionQueue:
    def __init__(self, db: Database, owner: Owner) -> None:
        self.db = db
        self.owner = owner
        self._wake: asyncio.Event | None = None

    async def submit(self, record: ExecutionRecord, arguments: dict[str, Any], credential_id: str | None) -> None:
        """Queue `record` (Pending) with its arguments; committed when this returns."""
        pending = (
            record.id, record.workflow_name, record.scope, record.org_id, record.executed_by,
            record.executed_by_name, record.executed_by_email, iso(record.started_at), record.session_id, NO_OWNER,
            record.trigger,
        )  # fmt: skip
        queued = (record.id, to_json(arguments), credential_id, iso(record.started_at))

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(_INSERT_PENDING, pending)
            conn.execute(_INSERT_QUEUED, queued)

        await self.db.run_small_transaction(write)
        self.wake()

    async def claim(self, limit: int) -> list[QueuedRun]:
        """Up to `limit` of the oldest Pending runs, each now Running and owned by this process."""
        if limit < 1:
            return []
        # Read first, without the write lock: an idle queue (the usual poll) costs one indexed read.
        candidates = [row["execution_id"] for row in await self.db.fetchall(_OLDEST_PENDING, (limit,))]
        if not candidates:
            return []
        return await self.db.run_in_transaction(partial(_claim, self.owner, candidates))

    async def cancel(self, execution_id: str) -> Cancel | None:
        """Cancel a queued run: "cancelled" (it was Pending), "requested" (Running: its owner stops it), or None.

        None: it is not a queued run still to finish (unknown, finished, or a run that was never queued).
        """
        outcome = await self.db.run_small_transaction(partial(_cancel, execution_id, iso(utc_now()) or ""))
        if outcome is not None:
            self.wake()
        return outcome

    async def cancel_requested(self, execution_ids: list[str]) -> list[str]:
        """Which of these runs someone asked to cancel."""
        if not execution_ids:
            return []
        marks = ",".join("?" * len(execution_ids))
        rows = await self.db.fetchall(
            f"SELECT execution_id FROM execution_queue WHERE cancel_requested = 1 AND execution_id IN ({marks})",
            execution_ids,
        )
        return [row["execution_id"] for row in rows]

    async def done(self, execution_id: str) -> None:
        """Forget a finished run's queue row (its arguments go with it); its execution record stays."""
        await self.db.write("DELETE FROM execution_queue WHERE execution_id = ?", (execution_id,))
        self.wake()

    async def tidy(self) -> int:
        """Forget the queue rows of runs that finished without `done` (their process died)."""
        return await self.db.execute(
            "DELETE FROM execution_queue WHERE execution_id NOT IN "
            "(SELECT id FROM executions WHERE status IN ('Pending', 'Running'))"
        )

    def wake(self) -> None:
        """Tell a dispatcher waiting in this process that there is something to do."""
        if self._wake is not None:
            self._wake.set()

    async def wait(self, seconds: float) -> None:
        """Until `wake` is called or `seconds` pass (work submitted by another process is seen by polling)."""
        if self._wake is None:
            self._wake = asyncio.Event()
        with anyio.move_on_after(seconds):
            await self._wake.wait()
        self._wake.clear()


def _claim(owner: Owner, candidates: list[str], conn: sqlite3.Connection) -> list[QueuedRun]:
    claimed: list[QueuedRun] = []
    for execution_id in candidates:
        changed = conn.execute(
            "UPDATE executions SET status = 'Running', runner_pid = ?, runner_started = ?, runner_id = ? "
            "WHERE id = ? AND status = 'Pending'",
            (owner.pid, owner.started, owner.id, execution_id),
        ).rowcount
        if not changed:  # claimed (or cancelled) since it was read, by another process or dispatcher
            continue
        row = conn.execute("SELECT * FROM executions WHERE id = ?", (execution_id,)).fetchone()
        queued = conn.execute(
            "SELECT arguments_json, credential_id FROM execution_queue WHERE execution_id = ?", (execution_id,)
        ).fetchone()
        record = record_from_row(row)
        record.status = ExecutionStatus.RUNNING
        claimed.append(QueuedRun(record, json.loads(queued["arguments_json"]), queued["credential_id"]))
    return claimed


def _cancel(execution_id: str, now: str, conn: sqlite3.Connection) -> Cancel | None:
    changed = conn.execute(
        "UPDATE executions SET status = 'Cancelled', error_message = ?, completed_at = ? "
        "WHERE id = ? AND status = 'Pending' AND id IN (SELECT execution_id FROM execution_queue)",
        (CANCELLED_PENDING, now, execution_id),
    ).rowcount
    if changed:
        conn.execute("DELETE FROM execution_queue WHERE execution_id = ?", (execution_id,))
        return "cancelled"
    requested = conn.execute(
        "UPDATE execution_queue SET cancel_requested = 1 WHERE execution_id = ? "
        "AND EXISTS (SELECT 1 FROM executions WHERE id = ? AND status = 'Running')",
        (execution_id, execution_id),
    ).rowcount
    return "requested" if requested else None


__all__ = ["CANCELLED_PENDING", "ExecutionQueue", "QueuedRun"]
