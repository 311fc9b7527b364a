"""The schedules table: synced with the registry, each due time claimed or skipped by one host, leases, pause."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bifrost_mcp.errors import NotFoundError
from bifrost_mcp.host import Host
from bifrost_mcp.schedules.cron import parse
from bifrost_mcp.schedules.store import SchedulesStore
from bifrost_mcp.settings import HostSettings

NOW = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)  # 09:01:30, past the first due time


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SchedulesStore]:
    async with Host.opened(HostSettings(data_dir=tmp_path)) as host:
        yield host.schedules


async def test_sync_adds_new_schedules_retimes_changed_ones_and_removes_the_rest(store: SchedulesStore) -> None:
    first = await store.sync({"a": parse("* * * * *"), "b": parse("0 * * * *")}, NOW)
    assert (first.added, first.changed, first.removed) == (["a", "b"], [], [])
    second = await store.sync({"a": parse("* * * * *"), "b": parse("*/5 * * * *")}, LATER)
    assert (second.added, second.changed, second.removed) == ([], ["b"], [])
    states = {s.name: s for s in await store.list()}
    assert states["a"].next_due == datetime(2026, 3, 2, 9, 1, tzinfo=UTC)  # unchanged: kept, though now past
    assert states["b"].next_due == datetime(2026, 3, 2, 9, 5, tzinfo=UTC)  # re-timed from the sync's time
    third = await store.sync({}, LATER)
    assert third.removed == ["a", "b"] and await store.list() == []


async def test_a_due_time_is_claimed_once_even_after_the_claimed_run_has_finished(store: SchedulesStore) -> None:
    await store.sync({"a": parse("* * * * *")}, NOW)
    [seen_by_both] = await store.list()  # two hosts read the row before either claims
    next_due = datetime(2026, 3, 2, 9, 2, tzinfo=UTC)
    claim = {"now": LATER, "lease_until": LATER + timedelta(seconds=60), "next_due": next_due, "missed": 0}
    assert await store.claim(seen_by_both, owner="host-1", **claim)  # type: ignore[arg-type]
    await store.finish("a", "host-1", finished=LATER, run_id="run-1", status="Completed", message=None)
    assert not await store.claim(seen_by_both, owner="host-2", **claim)  # type: ignore[arg-type]
    assert not await store.skip(seen_by_both, now=LATER, next_due=next_due)
    [state] = await store.list()
    assert (state.last_run_id, state.last_status, state.lease_owner, state.next_due) == (
        "run-1", "Completed", None, next_due
    )  # fmt: skip


async def test_finishing_after_the_lease_was_taken_over_leaves_the_new_owners_lease(store: SchedulesStore) -> None:
    await store.sync({"a": parse("* * * * *")}, NOW)
    [state] = await store.list()
    short = LATER + timedelta(seconds=1)
    assert await store.claim(state, now=LATER, owner="slow-host", lease_until=short,
                             next_due=state.next_due + timedelta(minutes=1), missed=0)  # fmt: skip
    [state] = await store.list()
    taken = state.next_due + timedelta(seconds=1)
    assert await store.claim(state, now=taken, owner="other-host", lease_until=taken + timedelta(seconds=60),
                             next_due=state.next_due + timedelta(minutes=1), missed=0)  # fmt: skip
    await store.finish("a", "slow-host", finished=taken, run_id="late", status="Completed", message=None)
    [state] = await store.list()
    assert (state.lease_owner, state.last_status, state.last_run_id) == ("other-host", "Running", None)


async def test_pausing_or_resuming_an_unknown_schedule_says_where_schedules_come_from(store: SchedulesStore) -> None:
    for change in (store.pause, store.resume):
        with pytest.raises(NotFoundError, match="no schedule 'nightly': a workflow's schedule is listed once"):
            await change("nightly", NOW)
