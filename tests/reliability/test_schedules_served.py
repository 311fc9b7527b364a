"""Two `bifrost-mcp serve --http` processes on one data dir run each due time of a schedule once."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import anyio
import pytest

from tests.support.data_dir import db_rows
from tests.support.poll import poll
from tests.support.process import BIFROST_MCP, REPO, hermetic_environment
from tests.support.server import answers, free_port
from tests.support.workspace import workspace_modules_dropped, write_files

EVERY_SECOND = """
from bifrost import workflow


@workflow(schedule="* * * * * *")
async def tick() -> str:
    return "tick"
"""
RUNS = 6


@pytest.mark.slow
async def test_two_served_hosts_on_one_data_dir_run_each_due_time_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with workspace_modules_dropped(tmp_path / "ws") as workspace:
        write_files(workspace, {"jobs.py": EVERY_SECOND})
        ports = [free_port(), free_port()]
        processes = []
        for index, port in enumerate(ports):
            command = [BIFROST_MCP, "serve", "--http", "--port", str(port), "--workspace", str(workspace),
                       "--data-dir", str(data_dir), "--workers", "1"]  # fmt: skip
            with (tmp_path / f"serve-{index}.stderr").open("wb") as err:
                processes.append(await anyio.open_process(
                    command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                    env=hermetic_environment(), cwd=REPO,
                ))  # fmt: skip
        try:
            for port in ports:
                await poll(lambda port=port: answers(f"http://127.0.0.1:{port}/healthz"), timeout=60,
                           what="both servers to answer")  # fmt: skip
            first_both = datetime.now(UTC)
            sql = "SELECT started_at, runner_pid FROM executions WHERE workflow_name = 'tick' AND started_at > ?"

            def enough() -> list[object] | None:
                rows = db_rows(data_dir, sql, (first_both.isoformat(),))
                return rows if len(rows) >= RUNS else None

            await poll(enough, timeout=30, what=f"{RUNS} scheduled runs")
        finally:
            for process in processes:
                process.terminate()
            with anyio.fail_after(15):
                for process in processes:
                    await process.wait()
    rows = db_rows(data_dir, "SELECT started_at, runner_pid FROM executions WHERE workflow_name = 'tick'")
    seconds = [datetime.fromisoformat(row["started_at"]).replace(microsecond=0) for row in rows]
    assert len(seconds) == len(set(seconds)), sorted(seconds)  # no due time fired twice
    assert {row["runner_pid"] for row in rows} <= {process.pid for process in processes}
