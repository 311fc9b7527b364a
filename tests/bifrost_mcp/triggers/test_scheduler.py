"""Schedules run through the runner on a test clock: due, overlap skipped, downtime coalesced, two hosts, reload."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest

from bifrost import context, workflow
from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.clock import ManualClock
from bifrost_mcp.executions.records import ExecutionRecord
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.triggers.scheduler import Scheduler
from bifrost_mcp.workspace.loader import registry_from_functions
from tests.support.poll import poll
from tests.support.workspace import workspace_modules_dropped, write_files

START = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)  # half a minute before the first due time, 09:01
seen: list[dict[str, object]] = []
release: dict[str, anyio.Event] = {}


@workflow(schedule="* * * * *")
async def every_minute() -> dict[str, object]:
    """Note who ran it and in which scope."""
    ran = {"user_id": context.user_id, "scope": context.scope, "is_platform_admin": context.is_platform_admin}
    seen.append(ran)
    return ran


@workflow(schedule="* * * * *", admin_only=True, roles=["ops"])
async def gated() -> str:
    """Only admins and ops could call it; its own schedule runs it all the same."""
    return "ran"


@workflow(schedule="* * * * *")
async def slow() -> str:
    """Runs until the test releases it."""
    await release["slow"].wait()
    return "done"


@workflow
async def not_scheduled() -> str:
    return "never on a schedule"


FUNCTIONS = (every_minute, gated, slow, not_scheduled)


@pytest.fixture(autouse=True)
def fresh() -> None:
    seen.clear()
    release["slow"] = anyio.Event()


@asynccontextmanager
async def host(data_dir: Path, clock: ManualClock, *functions: object) -> AsyncIterator[App]:
    registry = registry_from_functions(functions or (every_minute,))  # type: ignore[arg-type]
    async with App.opened(HostSettings(data_dir=data_dir), registry, clock=clock) as app:
        yield app


async def runs_of(app: App, name: str) -> list[ExecutionRecord]:
    return await app.host.executions.query(workflow_name=name)


async def test_a_due_schedule_runs_once_through_the_runner_as_the_scheduler_in_global_scope(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with host(tmp_path, clock, every_minute, gated, not_scheduled) as app:
        scheduler = Scheduler(app)
        async with scheduler.started():
            states = {s.name: s for s in await app.host.schedules.list()}
            assert sorted(states) == ["every_minute", "gated"]
            assert states["every_minute"].next_due == datetime(2026, 3, 2, 9, 1, tzinfo=UTC)

            early = await scheduler.tick()
            assert early.fired == [] and early.wake_at == datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
            clock.advance(30)
            due = await scheduler.tick()
            assert sorted(due.fired) == ["every_minute", "gated"]
            await scheduler.idle()
            again = await scheduler.tick()  # the same minute: nothing more is due
            assert again.fired == []
            await scheduler.idle()

        [record] = await runs_of(app, "every_minute")
        assert record.trigger == "schedule" and record.status is ExecutionStatus.COMPLETED
        assert (record.executed_by, record.scope) == ("scheduler", "GLOBAL")
        assert seen == [{"user_id": "scheduler", "scope": "GLOBAL", "is_platform_admin": False}]
        [gated_run] = await runs_of(app, "gated")
        assert gated_run.status is ExecutionStatus.COMPLETED and gated_run.result == "ran"
        assert await runs_of(app, "not_scheduled") == []

        state = await app.host.schedules.get("every_minute")
        assert state is not None
        assert state.last_run_id == record.id and state.last_status == "Completed"
        assert state.last_due == datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
        assert state.next_due == datetime(2026, 3, 2, 9, 2, tzinfo=UTC)
        assert state.lease_owner is None and state.status(clock.now()) == "active"


async def test_a_run_still_going_when_the_next_is_due_makes_that_one_skipped_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(START)
    async with host(tmp_path, clock, slow) as app:
        scheduler = Scheduler(app)
        async with scheduler.started():
            clock.advance(30)
            assert (await scheduler.tick()).fired == ["slow"]
            running = await app.host.schedules.get("slow")
            assert running is not None and running.status(clock.now()) == "running"
            for _ in range(3):  # three more minutes pass while it runs (longer than a lease: renewed each tick)
                clock.advance(60)
                with caplog.at_level(logging.WARNING, logger="bifrost_mcp.triggers.scheduler"):
                    tick = await scheduler.tick()
                assert (tick.fired, tick.skipped) == ([], ["slow"])
            release["slow"].set()
            await scheduler.idle()
            clock.advance(60)
            assert (await scheduler.tick()).fired == ["slow"]
            release["slow"] = anyio.Event()
            release["slow"].set()
            await scheduler.idle()

        runs = await runs_of(app, "slow")
        assert [r.status for r in runs] == [ExecutionStatus.COMPLETED] * 2
        state = await app.host.schedules.get("slow")
        assert state is not None and state.skipped == 3
        assert "skipped the run due at 2026-03-02T09:02:00+00:00: the run started at" in caplog.text


async def test_after_downtime_the_missed_due_times_are_coalesced_into_one_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(START)
    async with host(tmp_path, clock) as app:
        scheduler = Scheduler(app)
        async with scheduler.started():
            clock.advance(30)
            await scheduler.tick()
            await scheduler.idle()
    clock.advance(10 * 60)  # no host serves from 09:01:00 to 09:11:00: ten due times pass, 09:02 to 09:11
    async with host(tmp_path, clock) as app:
        restarted = Scheduler(app)
        async with restarted.started():
            with caplog.at_level(logging.WARNING, logger="bifrost_mcp.triggers.scheduler"):
                assert (await restarted.tick()).fired == ["every_minute"]
            await restarted.idle()
            assert (await restarted.tick()).fired == []
            await restarted.idle()
        assert len(await runs_of(app, "every_minute")) == 2
        state = await app.host.schedules.get("every_minute")
    assert state is not None and state.missed == 9
    assert state.last_due == datetime(2026, 3, 2, 9, 2, tzinfo=UTC)  # the earliest passed due time
    assert state.next_due == datetime(2026, 3, 2, 9, 12, tzinfo=UTC)
    assert state.last_message == "9 earlier due time(s) passed with no host serving: coalesced into this run"
    assert "9 due time(s) from 2026-03-02T09:02:00+00:00 passed with no host serving" in caplog.text


async def test_two_hosts_on_one_data_dir_run_each_due_time_once(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with host(tmp_path, clock) as first, host(tmp_path, clock) as second:
        one, two = Scheduler(first), Scheduler(second)
        async with one.started(), two.started():
            for minute in range(3):  # both look at the same moment, in turn first
                clock.advance(30 if minute == 0 else 60)
                fired: dict[str, list[str]] = {}

                async def tick(label: str, scheduler: Scheduler, fired: dict[str, list[str]] = fired) -> None:
                    fired[label] = (await scheduler.tick()).fired

                async with anyio.create_task_group() as both:
                    order = [("one", one), ("two", two)]
                    for label, scheduler in order if minute % 2 else reversed(order):
                        both.start_soon(tick, label, scheduler)
                assert sorted(fired["one"] + fired["two"]) == ["every_minute"]
                await one.idle()
                await two.idle()
            for minute in range(3):  # each in turn fires and its run ends before the other looks at that moment
                clock.advance(60)
                early, late = (one, two) if minute % 2 else (two, one)
                assert (await early.tick()).fired == ["every_minute"]
                await early.idle()
                assert (await late.tick()).fired == []
        assert len(await runs_of(first, "every_minute")) == 6
        assert len(seen) == 6


async def test_a_host_that_died_mid_run_holds_its_schedule_only_until_its_lease_expires(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with host(tmp_path, clock) as app:
        scheduler = Scheduler(app, lease_seconds=90)
        async with scheduler.started():
            clock.advance(30)
            [state] = await app.host.schedules.list()
            # a host claims 09:01 and dies: its lease is never renewed nor released
            assert await app.host.schedules.claim(
                state, now=clock.now(), owner="dead-host", lease_until=clock.now() + timedelta(seconds=90),
                next_due=state.next_due + timedelta(minutes=1), missed=0,
            )  # fmt: skip
            clock.advance(60)  # 09:02, lease until 09:02:30: still held
            assert (await scheduler.tick()).skipped == ["every_minute"]
            clock.advance(60)  # 09:03: expired
            assert (await scheduler.tick()).fired == ["every_minute"]
            await scheduler.idle()
        [record] = await runs_of(app, "every_minute")
        assert record.status is ExecutionStatus.COMPLETED


async def test_a_paused_schedule_does_not_run_and_resumes_from_its_next_due_time(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with host(tmp_path, clock) as app:
        scheduler = Scheduler(app)
        async with scheduler.started():
            paused = await app.host.schedules.pause("every_minute", clock.now())
            assert paused.status(clock.now()) == "paused"
            clock.advance(5 * 60)
            assert (await scheduler.tick()).fired == []
            resumed = await app.host.schedules.resume("every_minute", clock.now())
            assert resumed.next_due == datetime(2026, 3, 2, 9, 6, tzinfo=UTC)  # 09:01 to 09:05 are not made up
            clock.advance(30)
            assert (await scheduler.tick()).fired == ["every_minute"]
            await scheduler.idle()
        state = await app.host.schedules.get("every_minute")
        assert state is not None and state.missed == 0


async def test_serving_fires_at_the_due_time_without_a_tick_from_outside(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with host(tmp_path, clock) as app, anyio.create_task_group() as serving:
        serving.start_soon(Scheduler(app, poll_seconds=0.01).serve)
        await poll(app.host.schedules.list, what="the schedule registered")
        clock.advance(30)
        [record] = await poll(lambda: runs_of(app, "every_minute"), what="the scheduled run")
        serving.cancel_scope.cancel()
    assert record.trigger == "schedule"


async def test_leaving_with_a_run_in_flight_cancels_it_and_releases_the_lease(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with host(tmp_path, clock, slow) as app:
        scheduler = Scheduler(app)
        async with scheduler.started():
            clock.advance(30)
            await scheduler.tick()
            await poll(lambda: app.host.executions.live, what="the run started")
        [record] = await runs_of(app, "slow")
        assert record.status is ExecutionStatus.CANCELLED
        state = await app.host.schedules.get("slow")
        assert state is not None
        assert (state.lease_owner, state.last_status) == (None, "Cancelled")


SCHEDULED = """
from bifrost import workflow


@workflow(schedule="{first}")
async def report() -> str:
    return "report"
{extra}
"""

EXTRA = """

@workflow(schedule="0 * * * *")
async def hourly() -> str:
    return "hourly"
"""


async def test_hot_reload_adds_changes_and_removes_schedules(tmp_path: Path) -> None:
    clock = ManualClock(START)
    with workspace_modules_dropped(tmp_path / "ws") as root:
        root.mkdir()
        write_files(root, {"jobs.py": SCHEDULED.format(first="*/5 * * * *", extra="")})
        settings = HostSettings(data_dir=tmp_path / "data", workspace=root)
        async with App.opened(settings, clock=clock) as app:
            scheduler = Scheduler(app)
            async with scheduler.started():

                async def schedules() -> dict[str, tuple[str, datetime]]:
                    return {s.name: (s.expression, s.next_due) for s in await app.host.schedules.list()}

                assert await schedules() == {"report": ("*/5 * * * *", datetime(2026, 3, 2, 9, 5, tzinfo=UTC))}
                write_files(root, {"jobs.py": SCHEDULED.format(first="*/2 * * * *", extra=EXTRA)})
                await app.reload()
                assert await schedules() == {
                    "report": ("*/2 * * * *", datetime(2026, 3, 2, 9, 2, tzinfo=UTC)),
                    "hourly": ("0 * * * *", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
                }
                write_files(root, {"jobs.py": SCHEDULED.format(first="*/2 * * * *", extra="").replace(
                    '@workflow(schedule="*/2 * * * *")', "@workflow"
                )})  # fmt: skip
                await app.reload()
                assert await schedules() == {}
                clock.advance(3600)
                assert (await scheduler.tick()).fired == []
            assert await app.host.executions.query() == []
