"""`bifrost-mcp schedules [pause|resume]`, invoked in-process against a temp data dir a host registered schedules in."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio

from bifrost_mcp.cli.schedules import schedules
from bifrost_mcp.host import Host
from bifrost_mcp.schedules.cron import parse
from bifrost_mcp.settings import HostSettings
from tests.support.cli import DataCli


def registered(data_dir: Path) -> datetime:
    """Two schedules as a serving host registers them, the nightly one with a finished run; returns that run's start."""
    started = datetime.now(UTC) - timedelta(days=1)

    async def register() -> None:
        async with Host.opened(HostSettings(data_dir=data_dir)) as host:
            store = host.schedules
            await store.sync({"nightly": parse("0 2 * * *")}, started - timedelta(days=1))
            [state] = await store.list()
            await store.claim(state, now=started, owner="h", lease_until=started + timedelta(seconds=60),
                              next_due=parse("0 2 * * *").next_after(datetime.now(UTC)), missed=0)  # fmt: skip
            await store.finish("nightly", "h", finished=started, run_id="run-1", status="Completed", message=None)
            await store.sync({"nightly": parse("0 2 * * *"), "heartbeat": parse("*/1 * * * *")}, datetime.now(UTC))

    anyio.run(register)
    return started


def test_schedules_lists_each_with_its_next_and_last_run(tmp_path: Path) -> None:
    cli = DataCli(tmp_path, schedules)
    assert cli.ok() == "(none)\n"
    started = registered(tmp_path)
    listed = {entry["workflow"]: entry for entry in cli.json()}
    assert sorted(listed) == ["heartbeat", "nightly"]
    nightly = listed["nightly"]
    assert (nightly["schedule"], nightly["status"], nightly["paused"]) == ("0 2 * * *", "active", False)
    assert datetime.fromisoformat(nightly["next_run"]).time().isoformat() == "02:00:00"
    assert nightly["last_run"]["execution_id"] == "run-1" and nightly["last_run"]["status"] == "Completed"
    assert datetime.fromisoformat(nightly["last_run"]["started"]) == started
    assert listed["heartbeat"]["last_run"] is None
    text = cli.ok().splitlines()
    assert text[0].split() == ["WORKFLOW", "SCHEDULE", "STATUS", "NEXT", "RUN", "(UTC)", "LAST", "RUN", "(UTC)",
                               "LAST", "STATUS", "LAST", "ID"]  # fmt: skip
    assert text[2].startswith("nightly") and "0 2 * * *" in text[2] and text[2].endswith("Completed    run-1")


def test_pause_and_resume_change_what_every_host_reads(tmp_path: Path) -> None:
    registered(tmp_path)
    cli = DataCli(tmp_path, schedules)
    assert cli.ok("pause", "heartbeat") == "paused schedule 'heartbeat' (*/1 * * * *)\n"
    listed = {entry["workflow"]: entry for entry in cli.json()}
    assert (listed["heartbeat"]["status"], listed["heartbeat"]["next_run"]) == ("paused", None)
    resumed = cli.json("resume", "heartbeat")
    assert (resumed["status"], resumed["paused"]) == ("active", False)
    next_run = datetime.fromisoformat(resumed["next_run"])
    assert timedelta(0) < next_run - datetime.now(UTC) <= timedelta(minutes=1)


def test_pausing_an_unknown_schedule_exits_1_saying_where_schedules_come_from(tmp_path: Path) -> None:
    cli = DataCli(tmp_path, schedules)
    assert "no schedule 'nope': a workflow's schedule is listed once a serving host has loaded it" in cli.fails(
        "pause", "nope"
    )
