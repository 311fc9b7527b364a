"""Execution records: recovery of runs whose process died, and history queries."""

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from bifrost import workflow
from bifrost.enums import ExecutionStatus
from bifrost_mcp.executions import owners
from bifrost_mcp.executions.store import STOPPED_MESSAGE
from tests.support.data_dir import db_rows
from tests.support.mcp import opened_app
from tests.support.poll import poll
from tests.support.process import BIFROST_MCP, REPO
from tests.support.workspace import workspace_modules_dropped, write_files

SLOW = """
import anyio
from bifrost import workflow


@workflow(timeout_seconds=120)
async def long_export(rows: int) -> int:
    print("exporting", rows)
    await anyio.sleep(120)
    return rows
"""


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    with workspace_modules_dropped(tmp_path / "ws") as path:
        write_files(path, {"exports.py": SLOW})
        yield path


@pytest.mark.slow
async def test_a_run_of_a_killed_process_is_marked_failed_when_the_app_opens_again(tmp_path: Path, root: Path) -> None:
    data_dir = tmp_path / "data"
    command = [
        BIFROST_MCP,
        "run",
        "long_export",
        "--arg",
        "rows=5",
        "--workspace",
        str(root),
        "--data-dir",
        str(data_dir),
    ]

    async def running() -> list[Any]:
        sql = "SELECT * FROM executions WHERE status = 'Running'"
        return await anyio.to_thread.run_sync(lambda: db_rows(data_dir, sql))

    async with await anyio.open_process(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO
    ) as process:
        try:
            rows = await poll(running, timeout=30, what="the subprocess's execution to be recorded as Running")
            [row] = rows
            assert row["runner_pid"] == process.pid
            assert row["runner_started"] == owners.start_time(process.pid)
            execution_id = row["id"]

            # While its process lives, another process opening the data dir leaves the run alone.
            async with opened_app(data_dir, workspace=root) as app:
                record = await app.host.executions.get(execution_id)
                assert record is not None and record.status is ExecutionStatus.RUNNING

            os.kill(process.pid, signal.SIGKILL)
            with anyio.fail_after(10):
                assert await process.wait() == -signal.SIGKILL
        finally:
            if process.returncode is None:
                process.kill()

    async with opened_app(data_dir, workspace=root) as app:
        record = await app.host.executions.get(execution_id)
        assert record is not None
        assert record.status is ExecutionStatus.FAILED
        assert record.error_message == STOPPED_MESSAGE == "host stopped while running"
        assert record.completed_at is not None
        # A running record's row has no input yet: the input is written, redacted, when the run ends, since a
        # secret in it is only known once the run reads that secret (issue 14, finding 9).
        assert record.input_data == {}


@workflow
async def echo(word: str) -> str:
    return word


@workflow
async def boom() -> None:
    raise RuntimeError("no")


async def test_history_is_newest_first_and_filters_compose(tmp_path: Path) -> None:
    async with opened_app(tmp_path, functions=[echo, boom]) as app:
        owner = await app.host.callers.owner()
        first = await app.run(app.registry.workflows["echo"], {"word": "a"}, owner)
        failed = await app.run(app.registry.workflows["boom"], {}, owner)
        last = await app.run(app.registry.workflows["echo"], {"word": "b"}, owner)
        store = app.host.executions
        assert [r.id for r in await store.query()] == [last.execution_id, failed.execution_id, first.execution_id]
        assert [r.id for r in await store.query(workflow_name="echo", limit=1)] == [last.execution_id]
        assert [r.id for r in await store.query(status="failed")] == [failed.execution_id]
        assert await store.query(start_date="2999-01-01") == []
        today = first.record.started_at.date().isoformat()
        assert len(await store.query(start_date=today, end_date=today)) == 3
        with pytest.raises(ValueError, match="unknown status 'exploded'"):
            await store.query(status="exploded")
        with pytest.raises(ValueError, match="start_date must be an ISO date"):
            await store.query(start_date="yesterday")


async def test_records_survive_reopening_the_data_dir(tmp_path: Path) -> None:
    async with opened_app(tmp_path, functions=[echo]) as app:
        outcome = await app.run(app.registry.workflows["echo"], {"word": "kept"}, await app.host.callers.owner())
    async with opened_app(tmp_path, functions=[echo]) as app:
        record = await app.host.executions.get(outcome.execution_id)
        assert record is not None
        assert (record.status, record.result, record.input_data) == (
            ExecutionStatus.COMPLETED,
            "kept",
            {"word": "kept"},
        )
        assert record.duration_ms is not None and record.completed_at is not None
