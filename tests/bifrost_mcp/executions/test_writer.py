"""Group commit: a finished record's waiter resolves only once another process can read the record.

A batch is committed on the event loop when nothing else writes; when a task of this process or another
process is writing, the writer task commits it once they are done. Either way the waiter resolves only after.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from bifrost.enums import ExecutionStatus
from bifrost_mcp.executions.records import ExecutionRecord, utc_now
from bifrost_mcp.executions.schema import MIGRATIONS
from bifrost_mcp.executions.store import ExecutionsStore
from bifrost_mcp.storage import Database
from tests.support.data_dir import db_rows


def finished_record(n: int) -> ExecutionRecord:
    now = utc_now()
    return ExecutionRecord(
        id=f"00000000-0000-7000-8000-{n:012d}",
        workflow_name="echo",
        scope="GLOBAL",
        org_id=None,
        executed_by="user-1",
        executed_by_name="Ada",
        executed_by_email="ada@example.org",
        status=ExecutionStatus.COMPLETED,
        input_data={"text": f"call {n}"},
        started_at=now,
        result=f"call {n}",
        completed_at=now,
        duration_ms=0,
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[ExecutionsStore]:
    db = Database(tmp_path)
    await db.open(MIGRATIONS)
    store = ExecutionsStore(db)
    await store.start()
    try:
        yield store
    finally:
        await store.stop()
        await db.close()


def stored(tmp_path: Path) -> list[tuple[str, str]]:
    return [(r["id"], r["status"]) for r in db_rows(tmp_path, "SELECT id, status FROM executions ORDER BY id")]


async def test_records_finished_together_are_on_disk_when_their_waiters_resolve(
    store: ExecutionsStore, tmp_path: Path
) -> None:
    waiters = [store.finish(finished_record(n)) for n in range(3)]
    assert stored(tmp_path) == []  # committed on the next pass of the loop, not in `finish`
    await asyncio.gather(*waiters)
    assert stored(tmp_path) == [(finished_record(n).id, "Completed") for n in range(3)]


async def test_a_record_finished_while_another_process_writes_waits_for_it_then_lands(
    store: ExecutionsStore, tmp_path: Path
) -> None:
    other = sqlite3.connect(store.db.path, isolation_level=None, check_same_thread=False)  # as another process would
    other.execute("BEGIN IMMEDIATE")
    waiter = store.finish(finished_record(1))
    with anyio.fail_after(2):  # the attempt on the loop is refused at once, never freezing it
        await anyio.wait_all_tasks_blocked()
        await anyio.lowlevel.checkpoint()
    assert not waiter.done()  # not acknowledged: nothing is on disk yet
    other.execute("COMMIT")
    other.close()
    with anyio.fail_after(10):
        await waiter
    assert stored(tmp_path) == [(finished_record(1).id, "Completed")]


async def test_a_record_finished_during_a_transaction_of_this_process_waits_for_it_then_lands(
    store: ExecutionsStore, tmp_path: Path
) -> None:
    async with store.db.transaction() as conn:
        waiter = store.finish(finished_record(2))
        await conn.execute("SELECT 1")  # other tasks run meanwhile: the finish may not write inside this one
        await anyio.lowlevel.checkpoint()
        assert not waiter.done()
    with anyio.fail_after(10):
        await waiter
    assert stored(tmp_path) == [(finished_record(2).id, "Completed")]
