"""The executions module as executions-module.md specifies it, from inside workflows run by real callers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bifrost import executions, workflow, workflows
from bifrost.errors import NoExecutionContextError
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace.loader import registry_from_functions

logger = logging.getLogger("workspace.history")


@workflow(name="noisy")
async def noisy(lines: int = 3) -> dict[str, Any]:
    for n in range(1, lines + 1):
        logger.info("step %d", n)
    first = await executions.get_current_logs(count=2)
    again = await executions.get_current_logs(start=first[-1].id, count=1)  # `start` is the first entry returned
    rest = await executions.get_current_logs(start=str(int(first[-1].id) + 1))
    return {
        "first": [e.message for e in first],
        "again": [e.message for e in again],
        "rest": [e.message for e in rest],
        "ids": [e.id for e in first + rest],
    }


@workflow(name="history")
async def history(action: str, target: str | None = None, status: str | None = None, limit: int = 50) -> Any:
    if action == "list":
        return [(e.workflow_name, e.status, e.executed_by) for e in await executions.list(status=status, limit=limit)]
    if action == "list_named":
        return [e.execution_id for e in await executions.list(workflow_name=target, limit=limit)]
    if action == "get":
        found = await workflows.get(target or "")
        return {"status": found.status, "logs": [entry["message"] for entry in found.logs or []]}
    if action == "logs":
        return [e.message for e in await executions.get_current_logs(target)]
    if action == "dates":
        return len(await executions.list(start_date=target, end_date=target))
    raise ValueError(action)


@workflow(name="fails")
async def fails() -> None:
    raise RuntimeError("boom")


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    registry = registry_from_functions([noisy, history, fails])
    async with App.opened(HostSettings(data_dir=tmp_path), registry=registry) as application:
        yield application


async def _user(app: App, email: str, org: str | None, admin: bool = False) -> Caller:
    org_id = None
    if org is not None:
        try:
            org_id = (await app.host.identity.resolve_org(org)).id
        except LookupError:
            org_id = (await app.host.identity.create_org(org)).id
    user = await app.host.identity.create_user(email, email, org_id=org_id, is_superuser=admin)
    return await app.host.callers.for_user(user.id)


async def _run(app: App, caller: Caller, name: str, **arguments: Any) -> Any:
    entry = app.find_workflow(caller, name)
    assert entry is not None
    return await app.run(entry, arguments, caller)


async def test_a_running_workflow_reads_its_own_log_stream_and_continues_from_the_last_id(app: App) -> None:
    alice = await _user(app, "alice@acme.test", "Acme")
    outcome = await _run(app, alice, "noisy", lines=4)
    assert outcome.ok, outcome.message
    assert outcome.value["first"] == ["step 1", "step 2"]
    assert outcome.value["again"] == ["step 2"]
    assert outcome.value["rest"] == ["step 3", "step 4"]
    assert outcome.value["ids"] == ["1", "2", "3", "4"]


async def test_users_see_only_their_own_executions_and_admins_see_their_scope(app: App) -> None:
    alice = await _user(app, "alice@acme.test", "Acme")
    bob = await _user(app, "bob@acme.test", "Acme")
    carol = await _user(app, "carol@globex.test", "Globex")
    root = await _user(app, "root@msp.test", None, admin=True)
    alice_run = await _run(app, alice, "noisy")
    await _run(app, bob, "fails")
    await _run(app, carol, "noisy")
    mine = (await _run(app, alice, "history", action="list")).value
    assert [row[0] for row in mine] == ["history", "noisy"]  # its own, newest first, this one Running
    assert {row[2] for row in mine} == {alice.user_id}
    in_acme = (await _run(app, await app.host.callers.acting_in(root, "Acme"), "history", action="list")).value
    assert {row[2] for row in in_acme} == {alice.user_id, bob.user_id, root.user_id}
    everything = (await _run(app, root, "history", action="list")).value
    assert {row[2] for row in everything} >= {alice.user_id, bob.user_id, carol.user_id}
    failed = (await _run(app, root, "history", action="list", status="failed")).value
    assert failed == [["fails", "Failed", bob.user_id]]
    refused = await _run(app, bob, "history", action="get", target=alice_run.execution_id)
    assert (
        refused.message
        == f"PermissionError: execution {alice_run.execution_id!r} is not yours: only platform admins see others' runs"
    )
    seen = await _run(app, root, "history", action="get", target=alice_run.execution_id)
    assert seen.value == {"status": "Completed", "logs": ["step 1", "step 2", "step 3"]}
    logs = await _run(app, root, "history", action="logs", target=alice_run.execution_id)
    assert logs.value == ["step 1", "step 2", "step 3"]


async def test_unknown_ids_bad_filters_and_the_limit_cap_say_what_is_wrong(app: App) -> None:
    alice = await _user(app, "alice@acme.test", "Acme")
    missing = await _run(app, alice, "history", action="get", target="no-such-execution")
    assert missing.message == "ValueError: execution 'no-such-execution' not found"
    bad_status = await _run(app, alice, "history", action="list", status="Exploded")
    assert bad_status.message is not None and "unknown status 'Exploded'" in bad_status.message
    bad_date = await _run(app, alice, "history", action="dates", target="yesterday")
    assert bad_date.message is not None and "start_date must be an ISO date" in bad_date.message
    for _ in range(3):
        await _run(app, alice, "noisy", lines=1)
    capped = await _run(app, alice, "history", action="list", limit=5000)
    # three failed history runs, three noisy runs and this one; a limit over 1000 is capped, not refused
    assert capped.ok and len(capped.value) == 7
    today = (
        await _run(app, alice, "history", action="dates", target=capped.record.started_at.date().isoformat())
    ).value
    assert today == 8  # the seven above and this run


async def test_get_current_logs_outside_a_workflow_needs_an_execution_id() -> None:
    with pytest.raises(NoExecutionContextError, match="needs an execution_id"):
        await executions.get_current_logs()
    assert issubclass(NoExecutionContextError, RuntimeError)
