"""Finding 6: a result reaches its caller only once its execution record is committed (issue 14).

Group commit stays; the runner waits for the batch holding the record. Checked without timing: whatever an
entry point returns is already readable by a second connection, and a server killed with SIGKILL under load
leaves a Completed record, with the result the client got, for every call the client got a result for. Runs of
the killed process are marked Failed when the data dir is opened again; runs of a live one are left alone.
"""

import os
import signal
from pathlib import Path
from typing import Any

import anyio
import pytest

from bifrost import data_provider, workflow
from bifrost.enums import ExecutionStatus
from bifrost_mcp.agents import workflow_tool
from bifrost_mcp.executions.store import STOPPED_MESSAGE
from tests.support.data_dir import db_rows, opened_host
from tests.support.echo_load import ECHO, echo_session
from tests.support.mcp import connected, execution_id_of, opened_app
from tests.support.poll import poll
from tests.support.served import served_http
from tests.support.workspace import workspace_modules_dropped, write_files


@workflow(is_tool=True)
async def echo(text: str) -> str:
    return text


@data_provider(name="queues")
async def queues() -> list[dict[str, Any]]:
    return [{"label": "Service desk", "value": "sd"}]


may_finish = anyio.Event()


@workflow(is_tool=True, timeout_seconds=30)
async def waits(label: str) -> str:
    await may_finish.wait()
    return label


def on_disk(data_dir: Path, execution_id: str) -> tuple[str, str | None] | None:
    """The record as a second connection reads it: (status, result JSON), or None when it is not committed."""
    rows = db_rows(data_dir, "SELECT status, result_json FROM executions WHERE id = ?", (execution_id,))
    return (rows[0]["status"], rows[0]["result_json"]) if rows else None


async def test_every_entry_point_answers_only_once_the_record_is_committed(tmp_path: Path) -> None:
    async with opened_app(tmp_path, functions=[echo, queues]) as app:
        owner = await app.host.callers.owner()
        entry = app.registry.workflows["echo"]

        direct = await app.run(entry, {"text": "direct"}, owner)
        assert on_disk(tmp_path, direct.execution_id) == ("Completed", '"direct"')

        async with connected(app, "auto") as client:
            result = await client.call_tool("echo", {"text": "over mcp"})
            assert on_disk(tmp_path, execution_id_of(result)) == ("Completed", '"over mcp"')

        step = await workflow_tool(app, entry, owner, session_id="conv-1").call({"text": "chat step"})
        assert step.execution_id is not None
        assert on_disk(tmp_path, step.execution_id) == ("Completed", '"chat step"')

        options = await app.read_data_provider(app.registry.data_providers["queues"], {}, owner)
        assert on_disk(tmp_path, options.execution_id) == ("Completed", '[{"label": "Service desk", "value": "sd"}]')

        refused = await app.run(entry, {"text": 7}, owner)  # invalid arguments: recorded as Failed at once
        assert on_disk(tmp_path, refused.execution_id) == ("Failed", None)

        # A fresh Host on the same data dir reads it too.
        async with opened_host(tmp_path) as other:
            record = await other.executions.get(direct.execution_id)
            assert record is not None and (record.status, record.result) == (ExecutionStatus.COMPLETED, "direct")


async def test_a_second_host_on_the_data_dir_leaves_the_runs_of_a_live_one_alone(tmp_path: Path) -> None:
    global may_finish
    may_finish = anyio.Event()
    async with opened_app(tmp_path, functions=[waits]) as app:
        owner = await app.host.callers.owner()
        done: list[Any] = []
        async with anyio.create_task_group() as tg:

            async def run() -> None:
                done.append(await app.run(app.registry.workflows["waits"], {"label": "kept"}, owner))

            tg.start_soon(run)
            rows = await poll(
                lambda: db_rows(tmp_path, "SELECT id FROM executions WHERE status = 'Running'"),
                what="the run to be on disk as Running",
            )
            async with opened_host(tmp_path) as other:
                assert await other.executions.recover() == 0
            may_finish.set()
        [outcome] = done
        assert outcome.execution_id == rows[0]["id"]
        assert on_disk(tmp_path, outcome.execution_id) == ("Completed", '"kept"')


SESSIONS = 10
CALLS = 30
KILL_AFTER = 120


@pytest.mark.slow
async def test_every_call_acknowledged_before_a_kill_9_has_its_completed_record(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    acknowledged: dict[str, str] = {}  # execution id -> the text the client got back
    with workspace_modules_dropped(tmp_path / "ws") as workspace:
        write_files(workspace, {"echo.py": ECHO})
        async with served_http(workspace, data_dir, tmp_path) as server:
            killed = anyio.Event()

            def kill_at_the_count() -> None:
                if len(acknowledged) == KILL_AFTER:
                    os.kill(server.process.pid, signal.SIGKILL)
                    killed.set()

            async def session(number: int) -> None:
                try:
                    await echo_session(server, number, CALLS, acknowledged, kill_at_the_count)
                except Exception:
                    if not killed.is_set():  # before the kill every call must succeed
                        raise

            with anyio.fail_after(120):
                async with anyio.create_task_group() as tg:
                    for number in range(SESSIONS):
                        tg.start_soon(session, number)
                assert await server.process.wait() == -signal.SIGKILL
    assert KILL_AFTER <= len(acknowledged) < SESSIONS * CALLS

    async with opened_host(data_dir) as host:
        rows = db_rows(data_dir, "SELECT id, status, result_json, error_message FROM executions")
        by_id = {row["id"]: row for row in rows}
        missing = sorted(set(acknowledged) - set(by_id))
        assert missing == []
        for execution_id, text in acknowledged.items():
            record = await host.executions.get(execution_id)
            assert record is not None
            assert (record.status, record.result) == (ExecutionStatus.COMPLETED, text)
        unfinished = [row["id"] for row in rows if row["status"] in ("Pending", "Running")]
        assert unfinished == []
        # what was in flight at the kill, the client never heard of
        stopped = {row["id"] for row in rows if row["status"] == "Failed"}
        assert stopped.isdisjoint(acknowledged)
        assert {by_id[i]["error_message"] for i in stopped} <= {STOPPED_MESSAGE}
