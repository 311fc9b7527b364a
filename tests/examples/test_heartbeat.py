"""examples/heartbeat.py: served, it runs every minute on its own, as the scheduler, in worker processes."""

from datetime import UTC, datetime
from pathlib import Path

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.clock import ManualClock
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.triggers.scheduler import Scheduler
from tests.support.workspace import EXAMPLES

START = datetime(2026, 3, 2, 9, 0, 59, tzinfo=UTC)


async def test_the_heartbeat_runs_each_minute_and_its_record_says_it_was_scheduled(tmp_path: Path) -> None:
    clock = ManualClock(START)
    settings = HostSettings(data_dir=tmp_path, workspace=EXAMPLES, isolation="process", workers=1)
    async with App.opened(settings, clock=clock) as app:
        scheduler = Scheduler(app)
        async with scheduler.started():
            [state] = await app.host.schedules.list()
            assert (state.name, state.expression) == ("heartbeat", "*/1 * * * *")
            for _ in range(2):
                clock.advance(60)
                assert (await scheduler.tick()).fired == ["heartbeat"]
                await scheduler.idle()
        records = await app.host.executions.query(workflow_name="heartbeat")
        assert [(r.status, r.trigger, r.executed_by) for r in records] == [
            (ExecutionStatus.COMPLETED, "schedule", "scheduler")
        ] * 2
        result = records[0].result
        assert (result["alive"], result["run_by"], result["scope"]) == (True, "scheduler", "GLOBAL")
        [log] = await app.host.executions.logs(records[0].id)
        assert log.message == f"heartbeat at {result['at']}"
