"""Two servers on one data dir: when one is killed with SIGKILL mid-run, the other marks its run Failed by
itself, within a bounded time, while nobody opens the data dir again (issue 14: dead runs were marked late)."""

import signal
from pathlib import Path

import anyio
import pytest

from bifrost_mcp.executions.store import STOPPED_MESSAGE
from tests.support.data_dir import db_rows
from tests.support.mcp import mcp_http_client
from tests.support.poll import poll
from tests.support.served import served_http
from tests.support.workspace import workspace_modules_dropped, write_files

SLOW = """
import anyio
from bifrost import workflow


@workflow(is_tool=True, timeout_seconds=120)
async def long_export(rows: int) -> int:
    await anyio.sleep(120)
    return rows
"""
LEASE_SECONDS = 2  # each server looks every 0.5 s
ENV = {"BIFROST_WORKERS": "1", "BIFROST_RUNNER_LEASE_SECONDS": str(LEASE_SECONDS)}


@pytest.mark.slow
async def test_a_server_marks_the_run_of_a_killed_server_sharing_its_data_dir_failed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()

    def running() -> list[str]:
        return [row["id"] for row in db_rows(data_dir, "SELECT id FROM executions WHERE status = 'Running'")]

    with workspace_modules_dropped(tmp_path / "ws") as workspace:
        write_files(workspace, {"exports.py": SLOW})
        async with (
            served_http(workspace, data_dir, tmp_path / "a", env=ENV) as doomed,
            served_http(workspace, data_dir, tmp_path / "b", env=ENV, token=doomed.token) as survivor,
        ):
            killed = anyio.Event()
            async with anyio.create_task_group() as tg:

                async def call() -> None:
                    try:
                        async with mcp_http_client(doomed.url, doomed.token) as client:
                            await client.call_tool("long_export", {"rows": 5})
                    except Exception:
                        if not killed.is_set():  # only the kill may end the call
                            raise

                tg.start_soon(call)
                [execution_id] = await poll(running, timeout=30, what="the run to be recorded as Running")
                killed.set()
                doomed.kill()
                with anyio.fail_after(10):
                    assert await doomed.process.wait() == -signal.SIGKILL
                tg.cancel_scope.cancel()  # the client's call ends with its server

            def marked() -> bool:
                rows = db_rows(data_dir, "SELECT status, error_message FROM executions WHERE id = ?",
                               (execution_id,))  # fmt: skip
                return (rows[0]["status"], rows[0]["error_message"]) == ("Failed", STOPPED_MESSAGE)

            await poll(marked, timeout=LEASE_SECONDS * 3, what="the surviving server to mark the run Failed")
            assert survivor.process.returncode is None

            def said() -> bool:  # logged once its round of marking ends, a moment after the row changed
                return b"marked 1 execution(s) of stopped processes as Failed" in survivor.output()

            await poll(said, timeout=5, what="the surviving server to log what it marked")
