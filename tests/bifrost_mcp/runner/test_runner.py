"""The runner, driven through a real MCP client (both protocol eras) against an App over a temp data dir.

Every test runs with the workflows inline and in worker processes: what they signal goes through files
(tests.support.signals), which both see.
"""

import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import anyio
import pytest
from pydantic import Field

from bifrost import ExecutionContext, UserError, context, workflow
from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.executions.records import MAX_LOG_ENTRIES, ExecutionRecord
from tests.support.mcp import ISOLATIONS, MODES, connected, execution_id_of, opened_app, text_of
from tests.support.poll import poll
from tests.support.signals import Signals, note, released, wait_until_released

logger = logging.getLogger("tests.runner.workflows")


@workflow(is_tool=True)
async def book_seats(
    event: str,
    seats: Annotated[int, Field(ge=1, le=10, description="How many seats")],
    notes: list[str] | None = None,
) -> dict:
    """Book seats for an event."""
    note("ran", event)
    return {"event": event, "seats": seats}


@workflow(is_tool=True)
async def crashes() -> dict:
    raise RuntimeError("disk quota exceeded on /var/spool")


@workflow(is_tool=True)
async def refuses(customer: str) -> dict:
    raise UserError(f"Customer {customer!r} has no active contract; ask sales to renew it first.")


@workflow(is_tool=True)
async def soft_fails() -> dict:
    return {"success": False, "error": "mailbox is on litigation hold", "mailbox": "ada@example.org"}


@workflow(is_tool=True, timeout_seconds=0.2)
async def hangs() -> None:
    await anyio.sleep_forever()


release_sync = threading.Event()


@workflow(is_tool=True, timeout_seconds=0.2)
def blocks_in_a_thread() -> str:
    release_sync.wait(30)
    return "released"


@workflow(is_tool=True, timeout_seconds=10)
def sync_worker(label: str) -> str:
    note("sync", f"thread={threading.current_thread() is not threading.main_thread()}")
    note("sync", f"execution={context.execution_id}")
    while not released("sync"):
        time.sleep(0.01)
    return f"done {label}"


@workflow(is_tool=True)
async def quick() -> str:
    return "quick"


@workflow(is_tool=True)
async def chatty(context: ExecutionContext) -> str:
    logger.info("starting for %s", context.email)
    print("step one")
    logger.warning("disk at %d%%", 91, extra={"host": "srv-01"})
    print("multi", "part", end="")
    print(" line\nsecond line")
    logger.debug("not captured below INFO")
    try:
        raise ValueError("bad row")
    except ValueError:
        logger.exception("row skipped")
    print("unterminated tail", end="")
    return context.execution_id


@workflow(is_tool=True, timeout_seconds=10)
async def waits_for_progress() -> str:
    await wait_until_released("progress")
    return "done"


@workflow(is_tool=True, timeout_seconds=10)
async def reports_after_keepalive(context: ExecutionContext) -> str:
    await wait_until_released("keepalive")
    for step in (25, 50, 100):  # above any keep-alive value (seconds elapsed, under the 10 s timeout)
        await context.report_progress(step, 100, f"step {step}")
    await anyio.sleep(0.3)  # several keep-alive intervals pass: none of them reaches the client any more
    return "done"


@workflow(is_tool=True, timeout_seconds=30)
async def runs_until_cancelled() -> None:
    note("started")
    await anyio.sleep_forever()


WORKFLOWS = [
    book_seats,
    crashes,
    refuses,
    soft_fails,
    hangs,
    blocks_in_a_thread,
    sync_worker,
    quick,
    chatty,
    waits_for_progress,
    reports_after_keepalive,
    runs_until_cancelled,
]


@pytest.fixture(params=ISOLATIONS)
async def app(tmp_path: Path, signals: Signals, request: pytest.FixtureRequest) -> AsyncIterator[App]:
    async with opened_app(
        tmp_path / "data", functions=WORKFLOWS, progress_interval_seconds=0.05, isolation=request.param
    ) as application:
        yield application


async def record_of(app: App, execution_id: str) -> ExecutionRecord:
    record = await app.host.executions.get(execution_id)
    assert record is not None
    return record


async def final_record(app: App, execution_id: str) -> ExecutionRecord:
    async def finished() -> ExecutionRecord | None:
        record = await app.host.executions.get(execution_id)
        return record if record is not None and record.status.is_final else None

    return await poll(finished, what=f"execution {execution_id} to finish")


INVALID = [
    pytest.param({"event": 42, "seats": "many"}, ["event: Input should be a valid string", "seats:"], id="wrong-types"),
    pytest.param(
        {"notes": ["x"]},
        ["event: required argument is missing", "seats: required argument is missing"],
        id="missing-required",
    ),
    pytest.param(
        {"event": "gala", "seats": 2, "colour": "red", "vip": True},
        ["colour: unexpected argument", "vip: unexpected argument"],
        id="extra-fields",
    ),
    pytest.param(
        {"event": "gala", "seats": 11, "notes": [1]},
        ["seats: Input should be less than or equal to 10", "notes.0: Input should be a valid string"],
        id="constraints",
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("arguments", "problems"), INVALID)
async def test_invalid_arguments_are_an_error_naming_each_field_and_the_execution_and_nothing_runs(
    app: App, signals: Signals, mode: str, arguments: dict, problems: list[str]
) -> None:
    async with connected(app, mode) as client:
        result = await client.call_tool("book_seats", arguments)
    assert result.is_error
    message = text_of(result)
    execution_id = execution_id_of(result)
    assert message.startswith("Invalid arguments for 'book_seats': ")
    for problem in problems:
        assert problem in message
    assert f"(execution {execution_id})" in message
    assert signals.notes("ran") == []
    record = await record_of(app, execution_id)
    assert record.status is ExecutionStatus.FAILED
    assert record.error_message is not None and problems[0] in record.error_message
    assert record.duration_ms == 0
    assert record.input_data == arguments


@pytest.mark.parametrize("mode", MODES)
async def test_valid_arguments_run_and_return_structured_content(app: App, signals: Signals, mode: str) -> None:
    async with connected(app, mode) as client:
        result = await client.call_tool("book_seats", {"event": "gala", "seats": 3})
    assert not result.is_error
    assert result.structured_content == {"event": "gala", "seats": 3}
    assert signals.notes("ran") == ["gala"]
    record = await record_of(app, execution_id_of(result))
    assert record.status is ExecutionStatus.COMPLETED
    assert record.result == {"event": "gala", "seats": 3}


@pytest.mark.parametrize("mode", MODES)
async def test_a_workflow_that_raises_fails_with_type_and_message_and_no_traceback(app: App, mode: str) -> None:
    async with connected(app, mode) as client:
        result = await client.call_tool("crashes", {})
    execution_id = execution_id_of(result)
    assert result.is_error
    assert text_of(result) == f"RuntimeError: disk quota exceeded on /var/spool (execution {execution_id})"
    record = await record_of(app, execution_id)
    assert record.status is ExecutionStatus.FAILED
    assert record.error_message == "RuntimeError: disk quota exceeded on /var/spool"
    assert "Traceback" not in text_of(result)


@pytest.mark.parametrize("mode", MODES)
async def test_a_user_error_reaches_the_caller_verbatim(app: App, mode: str) -> None:
    async with connected(app, mode) as client:
        result = await client.call_tool("refuses", {"customer": "ACME"})
    assert result.is_error
    expected = "Customer 'ACME' has no active contract; ask sales to renew it first."
    assert text_of(result) == f"{expected} (execution {execution_id_of(result)})"
    assert (await record_of(app, execution_id_of(result))).error_message == expected


async def test_the_outcome_tells_a_user_error_from_a_crash_inline_and_in_workers(app: App) -> None:
    owner = await app.host.callers.owner()
    refused = await app.run(app.registry.workflows["refuses"], {"customer": "ACME"}, owner)
    crashed = await app.run(app.registry.workflows["crashes"], {}, owner)
    assert (refused.record.status, crashed.record.status) == (ExecutionStatus.FAILED, ExecutionStatus.FAILED)
    assert (refused.user_error, crashed.user_error) == (True, False)
    assert refused.message == "Customer 'ACME' has no active contract; ask sales to renew it first."


@pytest.mark.parametrize("mode", MODES)
async def test_success_false_is_completed_with_errors_and_an_error_result(app: App, mode: str) -> None:
    async with connected(app, mode) as client:
        result = await client.call_tool("soft_fails", {})
    execution_id = execution_id_of(result)
    assert result.is_error
    assert "mailbox is on litigation hold" in text_of(result)
    assert execution_id in text_of(result)
    assert result.structured_content == {
        "success": False,
        "error": "mailbox is on litigation hold",
        "mailbox": "ada@example.org",
    }
    record = await record_of(app, execution_id)
    assert record.status is ExecutionStatus.COMPLETED_WITH_ERRORS
    assert record.error_message == "mailbox is on litigation hold"


@pytest.mark.parametrize("mode", MODES)
async def test_a_workflow_past_its_timeout_is_stopped_with_status_timeout(app: App, mode: str) -> None:
    async with connected(app, mode) as client:
        result = await client.call_tool("hangs", {})
    assert result.is_error
    assert "'hangs' timed out after 0.2 s" in text_of(result)
    record = await record_of(app, execution_id_of(result))
    assert record.status is ExecutionStatus.TIMEOUT
    assert record.error_message == "'hangs' timed out after 0.2 s"


async def test_a_sync_workflow_past_its_timeout_is_abandoned_with_status_timeout(app: App) -> None:
    release_sync.clear()
    try:
        async with connected(app, "auto") as client:
            result = await client.call_tool("blocks_in_a_thread", {})
        assert result.is_error
        assert (await record_of(app, execution_id_of(result))).status is ExecutionStatus.TIMEOUT
    finally:
        release_sync.set()


@pytest.mark.parametrize("mode", MODES)
async def test_a_sync_workflow_runs_in_a_thread_without_blocking_other_calls(
    app: App, signals: Signals, mode: str
) -> None:
    results = {}
    async with connected(app, mode) as client:

        async def call_sync() -> None:
            results["sync"] = await client.call_tool("sync_worker", {"label": "report"})

        async with anyio.create_task_group() as tg:
            tg.start_soon(call_sync)
            await poll(lambda: len(signals.notes("sync")) == 2, what="the sync workflow to start in its thread")
            results["quick"] = await client.call_tool("quick", {})  # answered while the thread is blocked
            assert "sync" not in results
            signals.release("sync")
    assert results["quick"].structured_content == {"result": "quick"}
    assert "sync" in results and not results["sync"].is_error
    assert results["sync"].structured_content == {"result": "done report"}
    assert signals.notes("sync") == ["thread=True", f"execution={execution_id_of(results['sync'])}"]


async def test_logging_and_print_are_captured_in_order_in_the_execution_record(app: App) -> None:
    async with connected(app, "auto") as client:
        result = await client.call_tool("chatty", {})
    execution_id = execution_id_of(result)
    assert result.structured_content == {"result": execution_id}
    logs = await app.host.executions.logs(execution_id)
    owner = await app.host.callers.owner()
    assert [(e.level, e.message.splitlines()[0]) for e in logs] == [
        ("INFO", f"starting for {owner.email}"),
        ("INFO", "step one"),
        ("WARNING", "disk at 91%"),
        ("INFO", "multi part line"),
        ("INFO", "second line"),
        ("ERROR", "row skipped"),
        ("INFO", "unterminated tail"),
    ]
    assert [e.seq for e in logs] == list(range(1, 8))
    assert logs[1].metadata == {"stream": "stdout"}
    assert logs[2].metadata == {"host": "srv-01"}
    assert "ValueError: bad row" in logs[5].message
    record = await record_of(app, execution_id)
    assert record.status is ExecutionStatus.COMPLETED


@pytest.mark.parametrize("mode", MODES)
async def test_a_run_longer_than_the_keepalive_interval_sends_progress(app: App, signals: Signals, mode: str) -> None:
    received: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        received.append((progress, total, message))
        if len(received) >= 2:
            signals.release("progress")

    async with connected(app, mode) as client:
        result = await client.call_tool("waits_for_progress", {}, progress_callback=on_progress)
    assert not result.is_error, text_of(result)
    assert len(received) >= 2
    assert [total for _, total, _ in received][:2] == [10.0, 10.0]
    assert received[0][0] <= received[1][0]
    assert all(message and message.startswith("running for") for _, _, message in received)


@pytest.mark.parametrize("mode", MODES)
async def test_once_a_workflow_reports_progress_the_keepalive_is_silent(app: App, signals: Signals, mode: str) -> None:
    received: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        received.append((progress, total, message))
        signals.release("keepalive")

    async with connected(app, mode) as client:
        result = await client.call_tool("reports_after_keepalive", {}, progress_callback=on_progress)
    assert not result.is_error, text_of(result)
    first = next(i for i, (_, _, message) in enumerate(received) if message == "step 25")
    assert first > 0 and all(message.startswith("running for") for _, _, message in received[:first])  # type: ignore[union-attr]
    assert received[first:] == [(25, 100, "step 25"), (50, 100, "step 50"), (100, 100, "step 100")]
    values = [progress for progress, _, _ in received]
    assert values == sorted(set(values))  # each above the last


@pytest.mark.parametrize("mode", MODES)
async def test_cancelling_a_call_mid_run_records_it_as_cancelled(app: App, signals: Signals, mode: str) -> None:
    async with connected(app, mode) as client:
        async with anyio.create_task_group() as tg:

            async def call() -> None:
                await client.call_tool("runs_until_cancelled", {})

            tg.start_soon(call)
            await signals.started("started")
            tg.cancel_scope.cancel()

        async def cancelled() -> ExecutionRecord | None:
            records = await app.host.executions.query(workflow_name="runs_until_cancelled")
            return records[0] if records and records[0].status is ExecutionStatus.CANCELLED else None

        record = await poll(cancelled, what="the execution to be recorded as Cancelled")
        # the connection survives the cancellation
        assert (await client.call_tool("quick", {})).structured_content == {"result": "quick"}
    assert record.error_message == "cancelled by the caller"
    assert record.completed_at is not None
    assert app.host.executions.live == {}


async def test_every_call_is_recorded_with_its_caller(app: App) -> None:
    async with connected(app, "legacy") as client:
        ids = [execution_id_of(await client.call_tool("quick", {})) for _ in range(3)]
    owner = await app.host.callers.owner()
    records = await app.host.executions.query(workflow_name="quick")
    assert sorted(r.id for r in records) == sorted(ids)
    assert {(r.executed_by, r.executed_by_email, r.scope) for r in records} == {(owner.user_id, owner.email, "GLOBAL")}


async def test_execution_ids_are_time_ordered_uuids(app: App) -> None:
    async with connected(app, "auto") as client:
        ids = [execution_id_of(await client.call_tool("quick", {})) for _ in range(20)]
    assert [uuid.UUID(i).version for i in ids] == [7] * 20
    assert ids == sorted(ids)  # each record lands at the end of the id index
    assert len(set(ids)) == 20


async def test_an_unknown_tool_is_a_protocol_error_and_not_recorded(app: App) -> None:
    async with connected(app, "auto") as client:
        with pytest.raises(Exception, match="Unknown tool: no_such_tool"):
            await client.call_tool("no_such_tool", {})
    assert await app.host.executions.query() == []


@workflow(name="own_timeout")
async def own_timeout() -> None:
    raise TimeoutError("the vendor API did not answer")


@pytest.mark.parametrize("isolation", ISOLATIONS)
async def test_a_timeout_error_the_workflow_raises_itself_is_a_failure_not_a_run_timeout(
    tmp_path: Path, isolation: str
) -> None:
    async with opened_app(tmp_path, functions=[own_timeout], isolation=isolation) as app:
        owner = await app.host.callers.owner()
        outcome = await app.run(app.registry.workflows["own_timeout"], {}, owner)
    assert outcome.record.status is ExecutionStatus.FAILED
    assert outcome.message == "TimeoutError: the vendor API did not answer"


@workflow(name="chatty")
async def logs_lines(lines: int) -> None:
    for n in range(lines):
        logging.getLogger("workspace.chatty").info("line %d", n)


@pytest.mark.parametrize("isolation", ISOLATIONS)
async def test_a_log_stream_past_the_cap_ends_saying_how_many_entries_were_dropped(
    tmp_path: Path, isolation: str
) -> None:
    async with opened_app(tmp_path, functions=[logs_lines], isolation=isolation) as app:
        outcome = await app.run(
            app.registry.workflows["chatty"], {"lines": MAX_LOG_ENTRIES + 5}, await app.host.callers.owner()
        )
        logs = await app.host.executions.logs(outcome.execution_id, MAX_LOG_ENTRIES - 1, 10)
    assert [(e.level, e.message) for e in logs] == [
        ("INFO", f"line {MAX_LOG_ENTRIES - 1}"),
        ("WARNING", f"5 more log entries were dropped: an execution keeps at most {MAX_LOG_ENTRIES}"),
    ]
