"""Finding 9: a secret a workflow read never reaches the server's output or the data dir in plaintext (issue 14).

A hostile workflow gets a secret as its input (logged before the run knows it is one), reads the same value as a
config secret, then writes it through every channel: logging, print, sys.stderr.write, traceback.print_exc(),
warnings.warn, os.write to fd 2 and fd 1, sys.stdout.buffer, and print/logging/stderr from a thread of its own.
Served in a subprocess (HTTP and stdio), the server's stdout and stderr and every file of the data dir (the
database, its -wal and -shm) never hold the plaintext; what the run wrote is in its record, redacted.
"""

import logging
from pathlib import Path

import anyio
import pytest

from bifrost import config, workflow
from bifrost.enums import ExecutionStatus
from bifrost_mcp.runner.runner import RunOutcome
from tests.support.data_dir import db_rows, files_containing, opened_host
from tests.support.mcp import execution_id_of, mcp_http_client, opened_app, text_of
from tests.support.poll import poll
from tests.support.served import served_http, served_stdio
from tests.support.workspace import workspace_modules_dropped, write_files

SECRET = "vk-live-7f3a9c2e51d84b06"
LEAKS = """
import logging
import os
import sys
import threading
import traceback
import warnings

from bifrost import config, workflow

log = logging.getLogger("workspace.leaks")


@workflow(is_tool=True)
async def leaks(token: str) -> str:
    log.info("token before it was known to be a secret: %s", token)
    print(f"printed before: {token}")
    secret = await config.get("vendor_api_key")
    sys.stderr.write(f"stderr.write: {secret}\\n")
    try:
        raise RuntimeError(f"traceback: {secret}")
    except RuntimeError:
        traceback.print_exc()
    warnings.warn(f"warnings.warn: {secret}", stacklevel=1)
    os.write(2, f"os.write 2: {secret}\\n".encode())
    os.write(1, f"os.write 1: {secret}\\n".encode())
    sys.stdout.buffer.write(f"stdout.buffer: {secret}\\n".encode())
    sys.stdout.buffer.flush()

    def on_a_thread() -> None:
        print(f"thread print: {secret}")
        log.warning("thread log: %s", secret)
        sys.stderr.write(f"thread stderr: {secret}\\n")

    thread = threading.Thread(target=on_a_thread)
    thread.start()
    thread.join()
    return f"done with {secret}"
"""
WARN_LINE = LEAKS.lstrip("\n").splitlines().index('    warnings.warn(f"warnings.warn: {secret}", stacklevel=1)') + 1
# What leaves the run's record for the server's own output: each line redacted.
SERVER_LINES = [
    "os.write 2: [REDACTED]",
    "os.write 1: [REDACTED]",
    "thread print: [REDACTED]",
    "thread log: [REDACTED]",
    "thread stderr: [REDACTED]",
]


def record_lines(workspace: Path) -> list[tuple[str, str]]:
    """The run's log lines that carried the secret, as its record keeps them."""
    return [
        ("INFO", "token before it was known to be a secret: [REDACTED]"),
        ("INFO", "printed before: [REDACTED]"),
        ("WARNING", "stderr.write: [REDACTED]"),
        ("WARNING", "RuntimeError: traceback: [REDACTED]"),
        ("WARNING", f"{workspace / 'leaks.py'}:{WARN_LINE}: UserWarning: warnings.warn: [REDACTED]"),
        ("INFO", "stdout.buffer: [REDACTED]"),
    ]


async def set_the_secret(data_dir: Path) -> None:
    async with opened_host(data_dir) as host:
        await host.config.set("GLOBAL", "vendor_api_key", SECRET, is_secret=True)


async def check_the_record(data_dir: Path, workspace: Path, execution_id: str, isolation: str) -> None:
    async with opened_host(data_dir) as host:
        record = await host.executions.get(execution_id)
        assert record is not None and record.status is ExecutionStatus.COMPLETED
        assert (record.input_data, record.result) == ({"token": "[REDACTED]"}, "done with [REDACTED]")
        logs = await host.executions.logs(execution_id, 0, 1000)
    if isolation == "inline":  # a worker's own streams are captured its way (tests/reliability/test_served.py)
        assert [(e.level, e.message) for e in logs if "[REDACTED]" in e.message] == record_lines(workspace)
    assert [e.message for e in logs if SECRET in e.message] == []


def check_the_output(output: str, isolation: str) -> None:
    assert SECRET not in output
    if isolation == "inline":  # in a worker, raw descriptors and other threads' output go to /dev/null
        for line in SERVER_LINES:
            assert line in output


@pytest.mark.slow
@pytest.mark.parametrize("isolation", ["inline", "process"])
async def test_over_http_no_channel_puts_the_secret_in_the_server_output_or_the_data_dir(
    tmp_path: Path, isolation: str
) -> None:
    data_dir = tmp_path / "data"
    await set_the_secret(data_dir)
    with workspace_modules_dropped(tmp_path / "ws") as workspace:
        write_files(workspace, {"leaks.py": LEAKS})
        async with served_http(workspace, data_dir, tmp_path, env={"BIFROST_ISOLATION": isolation}) as server:
            async with mcp_http_client(server.url, server.token) as client:
                result = await client.call_tool("leaks", {"token": SECRET})
            assert (result.is_error, text_of(result)) == (False, "done with [REDACTED]")
            assert files_containing(data_dir, SECRET) == []
        check_the_output(server.output().decode(), isolation)
        await check_the_record(data_dir, workspace, execution_id_of(result), isolation)
    assert files_containing(data_dir, SECRET) == []


@pytest.mark.slow
@pytest.mark.parametrize("isolation", ["inline", "process"])
async def test_over_stdio_no_channel_puts_the_secret_on_stderr_or_the_wire(tmp_path: Path, isolation: str) -> None:
    data_dir, stderr = tmp_path / "data", tmp_path / "serve.stderr"
    await set_the_secret(data_dir)
    with workspace_modules_dropped(tmp_path / "ws") as workspace:
        write_files(workspace, {"leaks.py": LEAKS})
        async with served_stdio(workspace, data_dir, stderr, env={"BIFROST_ISOLATION": isolation}) as client:
            result = await client.call_tool("leaks", {"token": SECRET})
            assert (result.is_error, text_of(result)) == (False, "done with [REDACTED]")
            again = await client.call_tool("leaks", {"token": "not the secret"})  # the wire is intact
            assert text_of(again) == "done with [REDACTED]"
        check_the_output(stderr.read_text(), isolation)
        await check_the_record(data_dir, workspace, execution_id_of(result), isolation)
    assert files_containing(data_dir, SECRET) == []


may_finish = anyio.Event()


@workflow
async def holds_a_secret(token: str) -> str:
    logging.getLogger("workspace.holds").info("got %s", token)
    await may_finish.wait()
    secret = await config.get("vendor_api_key")
    return f"used {len(secret)} characters"


async def test_a_running_record_is_on_disk_without_its_input_and_the_final_one_redacted(tmp_path: Path) -> None:
    global may_finish
    may_finish = anyio.Event()
    async with opened_app(tmp_path, functions=[holds_a_secret]) as app:
        await app.host.config.set("GLOBAL", "vendor_api_key", SECRET, is_secret=True)
        owner = await app.host.callers.owner()
        done: list[RunOutcome] = []
        async with anyio.create_task_group() as tg:

            async def run() -> None:
                done.append(await app.run(app.registry.workflows["holds_a_secret"], {"token": SECRET}, owner))

            tg.start_soon(run)
            sql = "SELECT input_json FROM executions WHERE status = 'Running'"
            rows = await poll(lambda: db_rows(tmp_path, sql), what="the run to be on disk as Running")
            assert [row["input_json"] for row in rows] == ["{}"]
            assert files_containing(tmp_path, SECRET) == []
            may_finish.set()
        [outcome] = done
        record = await app.host.executions.get(outcome.execution_id)
        assert record is not None and record.input_data == {"token": "[REDACTED]"}
        assert [e.message for e in await app.host.executions.logs(outcome.execution_id)] == ["got [REDACTED]"]
    assert files_containing(tmp_path, SECRET) == []
