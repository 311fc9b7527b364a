"""Queued (async) runs: submitted durably, run by a dispatcher as their caller, across restarts, once, cancellable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bifrost import ExecutionContext, workflow
from bifrost.enums import ExecutionStatus
from bifrost.errors import AccessDenied, ValidationError
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.triggers.dispatcher import (
    CANCELLED_AT_STOP,
    CANCELLED_ON_REQUEST,
    caller_refused,
    workflow_gone,
)
from tests.support.mcp import opened_app
from tests.support.queue import dispatching, finished
from tests.support.signals import Signals, note, wait_until_released


@workflow(name="add")
async def add(a: int, b: int, context: ExecutionContext) -> dict[str, object]:
    note("runs", context.execution_id)
    return {"sum": a + b, "by": context.email, "scope": context.scope}


@workflow(name="waits", timeout_seconds=30)
async def waits(label: str) -> str:
    note(f"started-{label}")
    await wait_until_released(label)
    return f"{label} released"


@workflow(name="ops_only", roles=["ops"])
async def ops_only() -> str:
    return "done"


WORKFLOWS = [add, waits, ops_only]


async def _member(app: App, email: str, *, role: str | None = None) -> tuple[Caller, str]:
    """A user of organization Acme with a personal token (and `role`), as the caller that token stands for."""
    identity = app.host.identity
    try:
        org = await identity.resolve_org("Acme")
    except LookupError:
        org = await identity.create_org("Acme")
    user = await identity.create_user(email, email, org_id=org.id)
    if role is not None:
        created = await identity.create_role(org.id, role)
        await identity.assign_users(created.id, [user.id], org.id)
    token = (await app.host.credentials.create_token(user.id)).token
    return await app.host.callers.for_token(token), token


async def test_a_submitted_run_is_pending_at_once_and_the_dispatcher_runs_it_as_its_caller(
    tmp_path: Path, signals: Signals
) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as app:
        alice, _ = await _member(app, "alice@acme.test")
        record = await app.submit(app.registry.workflows["add"], {"a": 2, "b": 3}, alice, trigger="endpoint")
        stored = await app.host.executions.get(record.id)
        assert stored is not None
        assert (stored.status, stored.executed_by, stored.scope, stored.trigger) == (
            ExecutionStatus.PENDING, alice.user_id, alice.scope, "endpoint",
        )  # fmt: skip
        assert signals.notes("runs") == []  # nothing runs it without a dispatcher
        async with dispatching(app):
            done = await finished(app, record.id)
    assert (done.status, done.result, done.trigger) == (
        ExecutionStatus.COMPLETED, {"sum": 5, "by": "alice@acme.test", "scope": alice.scope}, "endpoint",
    )  # fmt: skip
    assert done.input_data == {"a": 2, "b": 3}
    assert signals.notes("runs") == [record.id]


async def test_invalid_arguments_are_refused_with_the_sync_message_and_nothing_is_queued(tmp_path: Path) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as app:
        owner = await app.host.callers.owner()
        entry = app.registry.workflows["add"]
        sync = await app.run(entry, {"a": "two"}, owner)
        with pytest.raises(ValidationError) as refused:
            await app.submit(entry, {"a": "two"}, owner)
        assert str(refused.value) == sync.message
        assert "a: Input should be a valid integer" in str(refused.value)
        assert "b: required argument is missing" in str(refused.value)
        assert [r.id for r in await app.host.executions.query()] == [sync.execution_id]


async def test_a_workflow_the_caller_may_not_use_is_refused_at_submit(tmp_path: Path) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as app:
        alice, _ = await _member(app, "alice@acme.test")
        with pytest.raises(AccessDenied):
            await app.submit(app.registry.workflows["ops_only"], {}, alice)
        assert await app.host.executions.query() == []


async def test_a_pending_run_survives_a_restart_and_runs_on_the_next_serve(tmp_path: Path, signals: Signals) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as app:
        alice, _ = await _member(app, "alice@acme.test")
        record = await app.submit(app.registry.workflows["add"], {"a": 20, "b": 22}, alice)
    async with opened_app(tmp_path, functions=WORKFLOWS) as app:
        still = await app.host.executions.get(record.id)
        assert still is not None and still.status is ExecutionStatus.PENDING  # not failed as a dead process's run
        async with dispatching(app):
            done = await finished(app, record.id)
    assert (done.status, done.result) == (
        ExecutionStatus.COMPLETED,
        {"sum": 42, "by": alice.email, "scope": alice.scope},
    )
    assert signals.notes("runs") == [record.id]


async def test_two_dispatchers_on_one_data_dir_run_each_queued_run_exactly_once(
    tmp_path: Path, signals: Signals
) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as first, opened_app(tmp_path, functions=WORKFLOWS) as second:
        owner = await first.host.callers.owner()
        ids = [(await first.submit(first.registry.workflows["add"], {"a": n, "b": 0}, owner)).id for n in range(24)]
        async with dispatching(first, concurrency=2), dispatching(second, concurrency=2):
            records = [await finished(first, execution_id) for execution_id in ids]
    assert [r.status for r in records] == [ExecutionStatus.COMPLETED] * 24
    assert [r.result["sum"] for r in records] == list(range(24))
    assert sorted(signals.notes("runs")) == sorted(ids)  # every run once, none twice


async def test_at_most_the_concurrency_runs_at_once_and_the_rest_wait_pending(tmp_path: Path, signals: Signals) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as app, dispatching(app, concurrency=2) as dispatcher:
        owner = await app.host.callers.owner()
        entry = app.registry.workflows["waits"]
        ids = [(await app.submit(entry, {"label": label}, owner)).id for label in ("one", "two", "three")]
        await signals.started("started-one")
        await signals.started("started-two")
        assert sorted(dispatcher.running) == sorted(ids[:2])
        third = await app.host.executions.get(ids[2])
        assert third is not None and third.status is ExecutionStatus.PENDING
        signals.release("one")
        await signals.started("started-three")  # a slot freed: the oldest waiting run took it
        signals.release("two")
        signals.release("three")
        results = [(await finished(app, execution_id)).result for execution_id in ids]
    assert results == ["one released", "two released", "three released"]


async def test_cancelling_a_pending_run_cancels_it_at_once_and_it_never_runs(tmp_path: Path, signals: Signals) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as app:
        owner = await app.host.callers.owner()
        record = await app.submit(app.registry.workflows["add"], {"a": 1, "b": 1}, owner)
        assert await app.host.queue.cancel(record.id) == "cancelled"
        cancelled = await app.host.executions.get(record.id)
        assert cancelled is not None
        assert (cancelled.status, cancelled.error_message) == (ExecutionStatus.CANCELLED, "cancelled before it started")
        assert await app.host.queue.cancel(record.id) is None  # finished: nothing left to cancel
        later = await app.submit(app.registry.workflows["add"], {"a": 2, "b": 2}, owner)
        async with dispatching(app):
            await finished(app, later.id)  # the queue is first in, first out: the cancelled run came before
    assert signals.notes("runs") == [later.id]


async def test_cancelling_a_running_run_from_another_process_stops_it_through_its_dispatcher(
    tmp_path: Path, signals: Signals
) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as app, dispatching(app):
        owner = await app.host.callers.owner()
        record = await app.submit(app.registry.workflows["waits"], {"label": "never"}, owner)
        await signals.started("started-never")
        # The CLI opens its own host on the data dir; its request reaches the serving dispatcher by polling.
        async with opened_app(tmp_path, functions=WORKFLOWS) as cli:
            assert await cli.host.queue.cancel(record.id) == "requested"
        done = await finished(app, record.id)
    assert (done.status, done.error_message) == (ExecutionStatus.CANCELLED, CANCELLED_ON_REQUEST)


async def test_a_run_still_going_when_the_server_stops_is_recorded_cancelled_saying_so(
    tmp_path: Path, signals: Signals
) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as app:
        owner = await app.host.callers.owner()
        async with dispatching(app):
            record = await app.submit(app.registry.workflows["waits"], {"label": "stop"}, owner)
            await signals.started("started-stop")
        done = await finished(app, record.id)
    assert (done.status, done.error_message) == (ExecutionStatus.CANCELLED, CANCELLED_AT_STOP)


async def test_a_run_whose_token_was_revoked_before_it_started_fails_saying_why(
    tmp_path: Path, signals: Signals
) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as app:
        alice, _ = await _member(app, "alice@acme.test")
        record = await app.submit(app.registry.workflows["add"], {"a": 1, "b": 2}, alice)
        assert alice.credential_id is not None
        await app.host.credentials.revoke(alice.credential_id, "token")
        async with dispatching(app):
            done = await finished(app, record.id)
    assert (done.status, done.error_message) == (ExecutionStatus.FAILED, caller_refused("token revoked"))
    assert signals.notes("runs") == []


async def test_a_run_of_a_workflow_no_longer_visible_to_its_caller_fails_like_an_unknown_one(tmp_path: Path) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as app:
        olga, _ = await _member(app, "olga@acme.test", role="ops")
        record = await app.submit(app.registry.workflows["ops_only"], {}, olga)
        role = await app.host.identity.resolve_role("ops", olga.org_id)
        await app.host.identity.delete_role(role.id, olga.org_id)
        async with dispatching(app):
            done = await finished(app, record.id)
    assert (done.status, done.error_message) == (ExecutionStatus.FAILED, workflow_gone("ops_only"))


async def test_a_submit_wakes_the_dispatcher_without_waiting_for_its_poll(tmp_path: Path, signals: Signals) -> None:
    async with opened_app(tmp_path, functions=WORKFLOWS) as app:
        owner = await app.host.callers.owner()
        entry = app.registry.workflows["add"]
        first = await app.submit(entry, {"a": 0, "b": 0}, owner)
        async with dispatching(app, poll_seconds=600):
            await finished(app, first.id)  # claimed by its first look at the queue; it now waits out its poll
            second = await app.submit(entry, {"a": 1, "b": 1}, owner)
            done = await finished(app, second.id, timeout=5)  # only a wake-up can start it this soon
    assert done.status is ExecutionStatus.COMPLETED
    assert signals.notes("runs") == [first.id, second.id]
