"""Runner leases: a serving process marks the runs of a killed one as Failed by itself, on any machine.

Another machine sharing the data dir is played by a second store on the same database whose owner names another
machine and a pid that runs nowhere here: a pid check would take it for dead at once, its lease says otherwise.
"""

import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bifrost.enums import ExecutionStatus
from bifrost_mcp.clock import ManualClock
from bifrost_mcp.executions.owners import Owner
from bifrost_mcp.executions.records import ExecutionRecord, utc_now
from bifrost_mcp.executions.store import STOPPED_MESSAGE, ExecutionsStore
from bifrost_mcp.host import Host
from bifrost_mcp.settings import HostSettings
from tests.support.data_dir import db_rows
from tests.support.poll import poll

LEASE = 60.0


def ended_pid() -> int:
    """The pid of a process that has ended (and been reaped): it runs nowhere on this machine."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True)  # fmt: skip
    return int(child.stdout)


@dataclass
class World:
    host: Host
    clock: ManualClock
    far: ExecutionsStore  # a server on another machine: only its lease tells whether it lives


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    clock = ManualClock()
    settings = HostSettings(data_dir=tmp_path, runner_lease_seconds=LEASE)
    async with Host.opened(settings, clock) as host:
        owner = Owner(ended_pid(), 4242, "far-away-runner", "another-machine")
        far = ExecutionsStore(host.db, clock=clock, lease_seconds=LEASE, owner=owner)
        await far.leases.register()  # not started: its lease moves only when the test refreshes it
        yield World(host, clock, far)


async def running_on(store: ExecutionsStore) -> str:
    """A run `store` has begun, committed as Running."""
    record = ExecutionRecord(
        id=str(uuid.uuid4()), workflow_name="export", scope="GLOBAL", org_id=None, executed_by="u",
        executed_by_name="U", executed_by_email="u@example.com", status=ExecutionStatus.RUNNING, input_data={},
        started_at=utc_now(),
    )  # fmt: skip
    store.begin(record)
    await store.flush()
    return record.id


def status_of(data_dir: Path, execution_id: str) -> tuple[str, str | None]:
    [row] = db_rows(data_dir, "SELECT status, error_message FROM executions WHERE id = ?", (execution_id,))
    return row["status"], row["error_message"]


async def test_a_run_on_another_machine_stays_while_its_lease_is_refreshed_and_fails_once_it_expires(
    world: World, tmp_path: Path
) -> None:
    execution_id = await running_on(world.far)
    here = world.host.executions

    assert await here.recover() == 0  # its pid runs nowhere here, but it is not a pid of this machine
    world.clock.advance(LEASE * 0.75)
    await world.far.leases.refresh()
    world.clock.advance(LEASE * 0.75)  # longer than a lease since it started, not since its last refresh
    assert await here.recover() == 0
    assert status_of(tmp_path, execution_id) == ("Running", None)

    world.clock.advance(LEASE * 0.25 + 1)  # killed: no refresh for longer than the lease
    assert await here.recover() == 1
    assert status_of(tmp_path, execution_id) == ("Failed", STOPPED_MESSAGE)
    assert db_rows(tmp_path, "SELECT id FROM execution_runners WHERE id = 'far-away-runner'") == []
    assert await here.recover() == 0


async def test_a_serving_process_marks_them_by_itself_without_the_data_dir_being_opened_again(tmp_path: Path) -> None:
    clock = ManualClock()
    settings = HostSettings(data_dir=tmp_path, runner_lease_seconds=0.2)  # looks every 0.05 s
    async with Host.opened(settings, clock) as host:
        far = ExecutionsStore(host.db, clock=clock, lease_seconds=0.2, owner=Owner(1, 1, "far", "another-machine"))
        await far.leases.register()
        execution_id = await running_on(far)
        assert status_of(tmp_path, execution_id) == ("Running", None)

        clock.advance(1)
        await poll(lambda: status_of(tmp_path, execution_id)[0] == "Failed", timeout=10, what="the run to be marked")
        assert status_of(tmp_path, execution_id) == ("Failed", STOPPED_MESSAGE)
        # its own lease is refreshed meanwhile, at the clock's time: it never takes itself for gone
        [mine] = db_rows(tmp_path, "SELECT last_seen FROM execution_runners WHERE id = ?", (host.executions.owner.id,))
        assert mine["last_seen"] == clock.now().isoformat(timespec="microseconds")


async def test_a_process_that_stopped_released_its_lease_so_a_run_it_left_is_marked_at_once(
    world: World, tmp_path: Path
) -> None:
    execution_id = await running_on(world.far)
    await world.far.leases.release()
    assert await world.host.executions.recover() == 1
    assert status_of(tmp_path, execution_id) == ("Failed", STOPPED_MESSAGE)


async def test_a_live_process_of_this_machine_keeps_its_runs_and_its_lease(world: World, tmp_path: Path) -> None:
    neighbour = ExecutionsStore(world.host.db, clock=world.clock, lease_seconds=LEASE)  # another Host, this process
    await neighbour.start()
    try:
        execution_id = await running_on(neighbour)
        assert await world.host.executions.recover() == 0
        assert status_of(tmp_path, execution_id) == ("Running", None)
    finally:
        await neighbour.stop()
    assert db_rows(tmp_path, "SELECT id FROM execution_runners WHERE id = ?", (neighbour.owner.id,)) == []


async def test_a_record_from_before_leases_is_judged_by_its_pid(world: World, tmp_path: Path) -> None:
    execution_id = await running_on(world.far)
    await world.host.db.execute(
        "UPDATE executions SET runner_id = NULL, runner_pid = ?, runner_started = NULL WHERE id = ?",
        (ended_pid(), execution_id),
    )
    assert await world.host.executions.recover() == 1
    assert status_of(tmp_path, execution_id) == ("Failed", STOPPED_MESSAGE)
