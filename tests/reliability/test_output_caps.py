"""Finding 10: what one run may leave behind is bounded, and a large result is sent once (issue 14).

Log lines past `max_log_bytes` (BIFROST_MAX_LOG_BYTES) are dropped and the record ends with a note saying how
many and which setting; a result over `max_result_bytes` (BIFROST_MAX_RESULT_BYTES) fails the run with an
error naming its size, the limit and the setting; a tools/call result over 64 KiB of JSON reaches the client as
one copy, not as text and structuredContent both.
"""

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bifrost import workflow
from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.server.tools import TEXT_COPY_LIMIT
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace.loader import registry_from_functions
from tests.support.data_dir import db_rows
from tests.support.mcp import connected, execution_id_of, text_of
from tests.support.process import cli
from tests.support.workspace import workspace_modules_dropped, write_files

LINE = 100  # bytes per log line below
logger = logging.getLogger("workspace.caps")


@workflow(is_tool=True)
async def chatty(lines: int) -> str:
    for n in range(lines):
        logger.info(f"line {n:05d} ".ljust(LINE, "."))
    return "logged"


@workflow(is_tool=True)
async def big_result(size: int) -> str:
    return "x" * size


@workflow(is_tool=True)
async def typed_table(rows: int) -> dict[str, str]:
    return {f"row-{n:06d}": "v" * 90 for n in range(rows)}


@workflow(is_tool=True)
async def untyped_table(rows: int):  # type: ignore[no-untyped-def]  # no return annotation: no outputSchema
    return {f"row-{n:06d}": "v" * 90 for n in range(rows)}


@asynccontextmanager
async def capped_app(data_dir: Path, functions: list[Callable[..., Any]], **limits: int) -> AsyncIterator[App]:
    settings = HostSettings(data_dir=data_dir, **limits)
    async with App.opened(settings, registry_from_functions(functions)) as app:
        yield app


def stored_log_bytes(data_dir: Path, execution_id: str) -> int:
    sql = "SELECT SUM(LENGTH(CAST(message AS BLOB))) AS n FROM execution_logs WHERE execution_id = ?"
    return int(db_rows(data_dir, sql, (execution_id,))[0]["n"])


async def test_log_lines_past_the_cap_are_dropped_and_the_record_says_how_many(tmp_path: Path) -> None:
    async with capped_app(tmp_path, [chatty], max_log_bytes=10_000) as app:
        owner = await app.host.callers.owner()
        outcome = await app.run(app.registry.workflows["chatty"], {"lines": 1000}, owner)
        logs = await app.host.executions.logs(outcome.execution_id, 0, 10_000)
    assert outcome.record.status is ExecutionStatus.COMPLETED
    assert [e.message for e in logs[:100]] == [f"line {n:05d} ".ljust(LINE, ".") for n in range(100)]
    assert [(e.level, e.message) for e in logs[100:]] == [
        (
            "WARNING",
            "900 more log entries (90,000 bytes) were dropped: an execution keeps at most 10,000 bytes of logs "
            "(set BIFROST_MAX_LOG_BYTES to change it)",
        )
    ]
    assert stored_log_bytes(tmp_path, outcome.execution_id) == 10_000 + len(logs[100].message)


async def test_a_result_over_the_cap_fails_the_run_naming_the_limit_and_the_setting(tmp_path: Path) -> None:
    expected = (
        "'big_result' returned a result of 2,002 bytes of JSON, over the limit of 1,000 bytes per result "
        "(set BIFROST_MAX_RESULT_BYTES to change it)"
    )
    async with capped_app(tmp_path, [big_result], max_result_bytes=1_000) as app:
        async with connected(app, "auto") as client:
            refused = await client.call_tool("big_result", {"size": 2_000})
            fits = await client.call_tool("big_result", {"size": 998})
        record = await app.host.executions.get(execution_id_of(refused))
    assert refused.is_error
    assert text_of(refused) == f"{expected} (execution {execution_id_of(refused)})"
    assert refused.structured_content is None
    assert record is not None
    assert (record.status, record.result, record.error_message) == (ExecutionStatus.FAILED, None, expected)
    assert fits.structured_content == {"result": "x" * 998}
    [row] = db_rows(tmp_path, "SELECT LENGTH(result_json) AS n FROM executions WHERE id = ?", (execution_id_of(fits),))
    assert row["n"] == 1_000


async def test_a_large_result_reaches_the_client_once(tmp_path: Path) -> None:
    rows = 1_000  # about 106 KB of JSON
    table = {f"row-{n:06d}": "v" * 90 for n in range(rows)}
    size = len(json.dumps(table, ensure_ascii=False))
    assert size > TEXT_COPY_LIMIT
    async with capped_app(tmp_path, [typed_table, untyped_table]) as app, connected(app, "auto") as client:
        typed = await client.call_tool("typed_table", {"rows": rows})
        untyped = await client.call_tool("untyped_table", {"rows": rows})
        small = await client.call_tool("typed_table", {"rows": 2})
    # With an outputSchema the structured copy is the one the protocol requires; the text says where it is.
    assert typed.structured_content == table
    assert text_of(typed) == (
        f"The result is {size:,} bytes of JSON, sent once, as structuredContent (execution {execution_id_of(typed)})"
    )
    # Without one, the text is the copy.
    assert untyped.structured_content is None
    assert json.loads(text_of(untyped)) == table
    # A small result keeps both, as the protocol asks of servers for older clients.
    assert small.structured_content == {"row-000000": "v" * 90, "row-000001": "v" * 90}
    assert json.loads(text_of(small)) == small.structured_content


CHATTY = f"""
import logging

from bifrost import workflow


@workflow(is_tool=True)
async def chatty(lines: int) -> str:
    for n in range(lines):
        logging.getLogger("workspace.caps").info(f"line {{n:05d}} ".ljust({LINE}, "."))
    return "x" * 2_000
"""


@pytest.mark.slow
def test_the_caps_come_from_the_environment(tmp_path: Path) -> None:
    with workspace_modules_dropped(tmp_path / "ws") as workspace:
        write_files(workspace, {"chatty.py": CHATTY})
        env = {"BIFROST_MAX_LOG_BYTES": "5000", "BIFROST_MAX_RESULT_BYTES": "1500"}
        options = ["--workspace", str(workspace), "--data-dir", str(tmp_path / "data")]
        done = cli("run", "chatty", "--arg", "lines=60", *options, env=env)
    assert done.returncode == 1
    assert "over the limit of 1,500 bytes per result (set BIFROST_MAX_RESULT_BYTES to change it)" in done.stderr
    [row] = db_rows(tmp_path / "data", "SELECT id, status FROM executions")
    assert row["status"] == "Failed"
    assert stored_log_bytes(tmp_path / "data", row["id"]) == 5_000 + len(
        "10 more log entries (1,000 bytes) were dropped: an execution keeps at most 5,000 bytes of logs "
        "(set BIFROST_MAX_LOG_BYTES to change it)"
    )
