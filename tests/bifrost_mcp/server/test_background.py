"""Async and long workflows over MCP: answered at once with the execution id (or as a task), read back later.

The official client, in memory, in both protocol eras; a dispatcher runs the queued runs as `serve` does.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from bifrost import workflow
from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.system_tools import get_execution
from bifrost_mcp.triggers.dispatcher import CANCELLED_ON_REQUEST
from bifrost_mcp.workspace.loader import registry_from_functions
from tests.support.mcp import MODES, execution_id_of, server_for, text_of
from tests.support.poll import poll
from tests.support.queue import dispatching, finished
from tests.support.signals import Signals, note, wait_until_released
from tests.support.tasks import TasksClient, cancel_task, get_task


@workflow(is_tool=True, execution_mode="async")
async def build_report(region: str) -> dict[str, Any]:
    """Build the quarterly report of a region."""
    print(f"building {region}")
    return {"region": region, "rows": 3}


@workflow(is_tool=True, timeout_seconds=7200)
async def migrate_mailboxes(count: int) -> int:
    """Move mailboxes to the new server (may take hours)."""
    return count


@workflow(is_tool=True, execution_mode="async", timeout_seconds=30)
async def held_job() -> str:
    note("held-started")
    await wait_until_released("held")
    return "released"


@workflow(is_tool=True)
async def quick_sum(a: int, b: int) -> int:
    return a + b


WORKFLOWS = [build_report, migrate_mailboxes, held_job, quick_sum, get_execution]  # the host's tool, as served


@asynccontextmanager
async def served(tmp_path: Path, *, hold_seconds: float = 3600.0) -> AsyncIterator[App]:
    settings = HostSettings(data_dir=tmp_path / "data", mcp_hold_seconds=hold_seconds)
    async with App.opened(settings, registry_from_functions(WORKFLOWS)) as app, dispatching(app):
        yield app


async def _member(app: App, email: str, org: str) -> Caller:
    identity = app.host.identity
    try:
        org_id = (await identity.resolve_org(org)).id
    except LookupError:
        org_id = (await identity.create_org(org)).id
    user = await identity.create_user(email, email, org_id=org_id)
    return await app.host.callers.for_user(user.id)


@asynccontextmanager
async def client_of(app: App, caller: Caller, mode: str, **options: Any) -> AsyncIterator[Client]:
    async with Client(server_for(app, caller).server, mode=mode, **options) as client:
        yield client


async def _until_finished(client: Client, execution_id: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        result = await client.call_tool("get_execution", {"execution_id": execution_id})
        assert not result.is_error, text_of(result)
        report = result.structured_content
        assert report is not None
        return report if report["finished"] else None

    return await poll(check, what=f"execution {execution_id} to finish")


@pytest.mark.parametrize("mode", MODES)
async def test_an_async_workflow_answers_at_once_with_its_execution_id_and_get_execution_reads_it_later(
    tmp_path: Path, mode: str
) -> None:
    async with served(tmp_path) as app:
        alice = await _member(app, "alice@acme.test", "Acme")
        async with client_of(app, alice, mode) as client:
            answer = await client.call_tool("build_report", {"region": "EMEA"})
            assert not answer.is_error, text_of(answer)
            execution_id = execution_id_of(answer)
            assert answer.structured_content == {
                "execution_id": execution_id, "status": "Pending", "workflow": "build_report",
            }  # fmt: skip
            assert f'get_execution tool with execution_id "{execution_id}"' in text_of(answer)
            report = await _until_finished(client, execution_id)
            resource = await client.read_resource(f"bifrost://executions/{execution_id}")
        record = await finished(app, execution_id)
    assert report["status"] == "Completed"
    assert report["result"] == {"region": "EMEA", "rows": 3}
    assert [(line["level"], line["message"]) for line in report["logs"]] == [("INFO", "building EMEA")]
    read_back = json.loads(resource.contents[0].text)  # type: ignore[union-attr]
    assert read_back == report
    assert (record.executed_by, record.trigger) == (alice.user_id, "mcp")


async def test_a_background_tool_is_listed_without_an_output_schema_and_says_how_it_answers(tmp_path: Path) -> None:
    async with served(tmp_path, hold_seconds=3600) as app, client_of(app, await app.host.callers.owner(), "auto") as c:
        tools = {tool.name: tool for tool in (await c.list_tools()).tools}
    for name in ("build_report", "migrate_mailboxes"):
        assert tools[name].output_schema is None
        assert "Runs in the background" in (tools[name].description or "")
        assert (tools[name].meta or {}).get("bifrost/runsInBackground") is True
    assert tools["quick_sum"].output_schema is not None
    assert "Runs in the background" not in (tools["quick_sum"].description or "")
    assert "get_execution" in tools


@pytest.mark.parametrize(("hold_seconds", "in_background"), [(3600.0, True), (7200.0, False)])
async def test_a_workflow_allowed_to_run_past_the_hold_is_answered_at_once_too(
    tmp_path: Path, hold_seconds: float, in_background: bool
) -> None:
    async with served(tmp_path, hold_seconds=hold_seconds) as app:
        async with client_of(app, await app.host.callers.owner(), "legacy") as client:
            answer = await client.call_tool("migrate_mailboxes", {"count": 12})
        record = await finished(app, execution_id_of(answer))
    assert record.result == 12
    if in_background:
        assert answer.structured_content is not None and answer.structured_content["status"] == "Pending"
    else:
        assert answer.structured_content == {"result": 12}


@pytest.mark.parametrize("mode", MODES)
async def test_invalid_arguments_to_an_async_tool_are_an_error_at_once_and_nothing_is_queued(
    tmp_path: Path, mode: str
) -> None:
    async with served(tmp_path) as app, client_of(app, await app.host.callers.owner(), mode) as client:
        answer = await client.call_tool("build_report", {"region": 5, "extra": 1})
        assert answer.is_error
        assert text_of(answer).startswith("Invalid arguments for 'build_report': region: ")
        assert await app.host.executions.query() == []


@pytest.mark.parametrize("mode", MODES)
async def test_another_organizations_execution_reads_exactly_like_an_unknown_id(tmp_path: Path, mode: str) -> None:
    async with served(tmp_path) as app:
        alice = await _member(app, "alice@acme.test", "Acme")
        gary = await _member(app, "gary@globex.test", "Globex")
        async with client_of(app, alice, mode) as client:
            execution_id = execution_id_of(await client.call_tool("build_report", {"region": "EMEA"}))
        await finished(app, execution_id)
        answers: dict[str, tuple[str, str]] = {}
        async with client_of(app, gary, mode) as client:
            for label, target in (("theirs", execution_id), ("unknown", "0f6c1f8e-0000-4000-8000-000000000000")):
                tool = await client.call_tool("get_execution", {"execution_id": target})
                assert tool.is_error
                with pytest.raises(MCPError) as resource:
                    await client.read_resource(f"bifrost://executions/{target}")
                tool_text = text_of(tool).replace(target, "<id>").rsplit(" (execution ", 1)[0]
                answers[label] = (tool_text, str(resource.value).replace(target, "<id>"))
    assert answers["theirs"] == answers["unknown"]
    assert answers["theirs"][0] == "no execution '<id>': check the id a tool answered with"
    assert answers["theirs"][1] == "Resource not found: bifrost://executions/<id>"


async def test_a_client_that_speaks_tasks_gets_a_task_and_its_result_through_tasks_get(tmp_path: Path) -> None:
    tasks = TasksClient()
    async with served(tmp_path) as app:
        async with client_of(app, await app.host.callers.owner(), "auto", extensions=[tasks]) as client:
            result = await client.call_tool("build_report", {"region": "APAC"})
            assert client.server_capabilities is not None
            assert "io.modelcontextprotocol/tasks" in (client.server_capabilities.extensions or {})
        [created] = tasks.created
        record = await finished(app, created.task_id)
    assert (created.status, created.ttl_ms, created.poll_interval_ms) == ("working", None, 2000)
    assert record.status is ExecutionStatus.COMPLETED
    assert tasks.polls[-1]["status"] == "completed"
    assert tasks.polls[-1]["resultType"] == "complete"
    assert not result.is_error
    assert result.structured_content == {"region": "APAC", "rows": 3}
    assert execution_id_of(result) == created.task_id


async def test_a_legacy_client_declaring_tasks_is_answered_without_a_task(tmp_path: Path) -> None:
    tasks = TasksClient()  # the handshake era cannot carry a task result: the extension is not offered there
    async with served(tmp_path) as app:
        owner = await app.host.callers.owner()
        async with client_of(app, owner, "legacy", extensions=[tasks]) as client:
            answer = await client.call_tool("build_report", {"region": "APAC"})
    assert tasks.created == []
    assert answer.structured_content is not None and answer.structured_content["status"] == "Pending"


async def test_a_task_is_cancelled_with_tasks_cancel_and_others_tasks_are_unknown(
    tmp_path: Path, signals: Signals
) -> None:
    async with served(tmp_path) as app:
        alice = await _member(app, "alice@acme.test", "Acme")
        gary = await _member(app, "gary@globex.test", "Globex")
        async with client_of(app, alice, "auto") as client:  # no Tasks: the id comes back as an execution id
            execution_id = execution_id_of(await client.call_tool("held_job", {}))
        await signals.started("held-started")
        async with client_of(app, gary, "auto", extensions=[TasksClient()]) as client:
            for target in (execution_id, "no-such-task"):
                with pytest.raises(MCPError, match=f"Unknown task: {target}"):
                    await get_task(client.session, target)
                with pytest.raises(MCPError, match=f"Unknown task: {target}"):
                    await cancel_task(client.session, target)
        async with client_of(app, alice, "auto", extensions=[TasksClient()]) as client:
            working = await get_task(client.session, execution_id)
            assert (working["status"], working["statusMessage"]) == ("working", "Running.")
            assert await cancel_task(client.session, execution_id) == {"resultType": "complete", **_meta_of(working)}
            record = await finished(app, execution_id)
            cancelled = await get_task(client.session, execution_id)
    assert (record.status, record.error_message) == (ExecutionStatus.CANCELLED, CANCELLED_ON_REQUEST)
    assert (cancelled["status"], cancelled["statusMessage"]) == ("cancelled", CANCELLED_ON_REQUEST)
    assert "result" not in cancelled


def _meta_of(answer: dict[str, Any]) -> dict[str, Any]:
    """The server's `_meta` stamp every 2026-era result carries."""
    return {"_meta": answer["_meta"]} if "_meta" in answer else {}
