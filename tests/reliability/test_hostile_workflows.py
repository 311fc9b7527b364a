"""Findings 2 and 3: whatever a workflow does in its worker, that run fails (Failed or Timeout, saying why),
the host keeps serving, and another tenant's call is answered while the hostile one still runs."""

from __future__ import annotations

import re
from pathlib import Path

import anyio
import pytest

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.runner.runner import RunOutcome
from tests.reliability.conftest import Tenants, full_pool, live_workers, record_of
from tests.support.mcp import opened_app
from tests.support.signals import Signals

MIB = 1024 * 1024


async def run(app: App, caller: Caller, workflow: str, **arguments: object) -> RunOutcome:
    return await app.run(app.registry.workflows[workflow], arguments, caller)


async def assert_serving(app: App, tenants: Tenants) -> None:
    outcome = await run(app, tenants.other, "echo", text="still here")
    assert (outcome.record.status, outcome.value) == (ExecutionStatus.COMPLETED, "still here")


FAILURES = [
    pytest.param("exits", {}, "SystemExit: 3", id="sys.exit"),
    pytest.param("raises", {"kind": "KeyboardInterrupt"}, "KeyboardInterrupt", id="KeyboardInterrupt"),
    pytest.param("raises", {"kind": "GeneratorExit"}, "GeneratorExit", id="GeneratorExit"),
    pytest.param("raises", {"kind": "SystemExit"}, "SystemExit: stop", id="SystemExit"),
    pytest.param("raises", {"kind": "BaseException"}, "BaseException: base", id="BaseException"),
    pytest.param("raises", {"kind": "Custom"}, "Custom: custom stop", id="own-BaseException"),
    pytest.param("raises_in_sync", {}, "KeyboardInterrupt", id="sync-KeyboardInterrupt"),
    pytest.param(
        "hard_exit",
        {},
        "'hard_exit' failed: its worker process exited with code 9 during the run; the worker was replaced",
        id="os._exit",
    ),
    pytest.param(
        "forks",
        {},
        "PermissionError: os.fork() is not available to workflows: a forked copy of the worker would share its "
        "connection to the host. Start a program with subprocess instead.",
        id="os.fork",
    ),
]


@pytest.mark.parametrize(("name", "arguments", "message"), FAILURES)
async def test_a_workflow_that_exits_or_raises_a_base_exception_fails_its_own_run_only(
    app: App, tenants: Tenants, name: str, arguments: dict[str, object], message: str
) -> None:
    outcome = await run(app, tenants.hostile, name, **arguments)

    assert (outcome.record.status, outcome.message) == (ExecutionStatus.FAILED, message)
    record = await record_of(app, outcome.execution_id)
    assert (record.status, record.error_message) == (ExecutionStatus.FAILED, message)
    await assert_serving(app, tenants)


@pytest.mark.parametrize("name", ["sleeps", "sleeps_in_sync", "spins"])
async def test_blocking_code_is_stopped_at_its_timeout_and_its_worker_replaced(
    app: App, tenants: Tenants, name: str
) -> None:
    before = {w.pid for w in await full_pool(app)}

    outcome = await run(app, tenants.hostile, name)

    assert (outcome.record.status, outcome.message) == (ExecutionStatus.TIMEOUT, f"{name!r} timed out after 0.5 s")
    assert outcome.record.error_message == f"{name!r} timed out after 0.5 s"
    after = {w.pid for w in await full_pool(app)}
    assert len(before - after) == 1  # the blocked worker was killed and a new one took its place
    await assert_serving(app, tenants)


@pytest.mark.parametrize("spin", [False, True], ids=["blocking-sleep", "cpu-loop"])
async def test_another_tenants_call_is_answered_while_a_blocking_run_holds_its_worker(
    app: App, tenants: Tenants, signals: Signals, spin: bool
) -> None:
    hostile: list[RunOutcome] = []
    async with anyio.create_task_group() as tg:

        async def blocking() -> None:
            hostile.append(await run(app, tenants.hostile, "blocks_until_released", name="block", spin=spin))

        tg.start_soon(blocking)
        await signals.started("block")  # the worker is blocked in time.sleep (or a CPU loop) from here on

        echoed = await run(app, tenants.other, "echo", text="meanwhile")

        assert hostile == []  # answered while the blocking run was still running
        assert (echoed.record.status, echoed.value) == (ExecutionStatus.COMPLETED, "meanwhile")
        tg.cancel_scope.cancel()  # the caller gives up: its run is cancelled and its worker killed

    cancelled = await app.host.executions.query(workflow_name="blocks_until_released")
    assert [(r.status, r.error_message) for r in cancelled] == [(ExecutionStatus.CANCELLED, "cancelled by the caller")]
    await full_pool(app)
    await assert_serving(app, tenants)


async def test_a_crashed_worker_is_replaced_and_the_next_call_works(app: App, tenants: Tenants) -> None:
    pids = {w.pid for w in await full_pool(app)}
    crashed = await run(app, tenants.hostile, "hard_exit")
    assert crashed.record.status is ExecutionStatus.FAILED

    replaced = {w.pid for w in await full_pool(app)}
    assert len(pids - replaced) == 1
    ran_in = await run(app, tenants.other, "whoami")
    assert ran_in.record.status is ExecutionStatus.COMPLETED
    assert ran_in.value in replaced


async def test_a_run_past_the_memory_limit_fails_saying_so_and_its_worker_is_replaced(
    app: App, tenants: Tenants
) -> None:
    pids = {w.pid for w in await full_pool(app)}
    for hold in (True, False):  # caught while it runs, or by its peak when it returns first
        outcome = await run(app, tenants.hostile, "hogs", megabytes=400, hold=hold)

        assert outcome.record.status is ExecutionStatus.FAILED
        assert outcome.message is not None
        assert re.fullmatch(
            r"'hogs' exceeded the worker memory limit of 256 MiB \(it reached (\d+) MiB\); its worker was replaced",
            outcome.message,
        ), outcome.message
        assert outcome.record.peak_memory_bytes is not None and outcome.record.peak_memory_bytes > 256 * MIB
    assert len(pids & {w.pid for w in await full_pool(app)}) == 0
    await assert_serving(app, tenants)


async def test_peak_memory_and_cpu_are_the_worker_s_own_for_each_run(app: App, tenants: Tenants) -> None:
    big = await run(app, tenants.hostile, "hogs", megabytes=120)
    small = await run(app, tenants.hostile, "hogs", megabytes=1)

    assert (big.value, small.value) == (120, 1)
    assert big.record.peak_memory_bytes is not None and small.record.peak_memory_bytes is not None
    # the same worker served both (the most recently used one): the first run's peak is not the second's
    assert small.record.peak_memory_bytes < 120 * MIB <= big.record.peak_memory_bytes
    assert big.record.cpu_total_seconds is not None and big.record.cpu_total_seconds > 0


async def test_a_run_that_leaves_threads_or_tasks_running_never_shares_its_worker_with_the_next_run(
    app: App, tenants: Tenants
) -> None:
    await full_pool(app)
    left = await run(app, tenants.hostile, "leaves_work_behind")
    assert left.record.status is ExecutionStatus.COMPLETED

    after = await run(app, tenants.other, "whoami")
    assert after.value != left.value
    assert left.value not in {w.pid for w in live_workers(app)}


async def test_a_worker_that_breaks_the_wire_protocol_is_killed_and_its_run_fails(app: App, tenants: Tenants) -> None:
    outcome = await run(app, tenants.hostile, "writes_to_the_wire")

    assert outcome.record.status is ExecutionStatus.FAILED
    assert outcome.message is not None
    assert outcome.message.startswith(
        "'writes_to_the_wire' failed: its worker broke the wire protocol (an undecodable frame"
    ), outcome.message
    assert outcome.message.endswith("; the worker was replaced")
    await assert_serving(app, tenants)


async def test_a_worker_cannot_act_in_another_organization_s_scope(app: App, tenants: Tenants) -> None:
    victim = tenants.other.org_id
    assert victim is not None
    outcome = await run(app, tenants.hostile, "picks_a_scope", scope=victim)

    assert outcome.record.status is ExecutionStatus.FAILED
    assert outcome.message is not None and outcome.message.startswith("PermissionError: ")
    assert await app.host.db.fetchall("SELECT scope FROM data_tables WHERE name = 'loot'") == []


async def test_workers_do_not_inherit_the_host_s_credentials_from_its_environment(
    tmp_path: Path, workspace: Path, signals: Signals, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("BIFROST_TOKEN", "ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.setenv(name, f"{name.lower()}-of-the-host")
    async with opened_app(tmp_path / "data", workspace=workspace, isolation="process") as app:
        worker = (await full_pool(app))[0]
        environment = (await anyio.Path(f"/proc/{worker.pid}/environ").read_bytes()).split(b"\0")
    names = {entry.split(b"=", 1)[0].decode() for entry in environment if entry}
    assert "BIFROST_TEST_SIGNALS" in names  # an ordinary variable reaches the workers
    assert names.isdisjoint({"BIFROST_TOKEN", "ANTHROPIC_API_KEY", "OPENAI_API_KEY"})
