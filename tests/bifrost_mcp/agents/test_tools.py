"""Workflows as agent tools: run through the App as the chatting caller, recorded with the conversation's id."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bifrost.enums import ExecutionStatus
from bifrost_mcp.agents import WorkflowTool, workflow_tool, workflow_tools
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.config import ConfigStore
from tests.bifrost_mcp.agents.workflows import ALL, SECRET
from tests.support.mcp import opened_app

SESSION = "conv-7d1e"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path / "data", functions=ALL) as opened:
        await ConfigStore(opened.host.db, opened.host.secrets).set("GLOBAL", "vendor_api_key", SECRET, is_secret=True)
        yield opened


async def owner_tool(app: App, name: str) -> tuple[Caller, WorkflowTool]:
    caller = await app.host.callers.owner()
    entry = app.find_tool(caller, name)
    assert entry is not None
    tool = workflow_tool(app, entry, caller, session_id=SESSION)
    return caller, tool


async def test_app_run_stores_the_session_id_on_the_execution_record(app: App) -> None:
    caller = await app.host.callers.owner()
    entry = app.find_tool(caller, "get_ticket")
    assert entry is not None

    outcome = await app.run(entry, {"id": "T-1"}, caller, session_id=SESSION)
    plain = await app.run(entry, {"id": "T-2"}, caller)

    await app.host.executions.flush()
    stored = await app.host.executions.get(outcome.execution_id)
    assert stored is not None and stored.session_id == SESSION
    unrelated = await app.host.executions.get(plain.execution_id)
    assert unrelated is not None and unrelated.session_id is None  # a run outside a chat has no session
    assert unrelated.trigger == "mcp"  # App.run's default: the MCP entry points pass nothing


async def test_a_workflow_tool_runs_as_the_caller_and_answers_with_the_rendered_value(app: App) -> None:
    caller, tool = await owner_tool(app, "get_ticket")

    outcome = await tool.call({"id": "T-42"})

    assert (tool.name, tool.description) == ("get_ticket", "Fetch a ticket by id.")
    assert tool.input_schema["required"] == ["id"]
    assert outcome.text == '{"id": "T-42", "title": "Printer jammed on floor 2"}' and not outcome.is_error
    record = await app.host.executions.get(outcome.execution_id or "")
    assert record is not None and record.status is ExecutionStatus.COMPLETED
    assert (record.executed_by, record.session_id, record.trigger) == (caller.user_id, SESSION, "agent")


async def test_a_failed_run_is_an_error_outcome_naming_the_failure_and_the_execution(app: App) -> None:
    _, tool = await owner_tool(app, "book_seats")

    outcome = await tool.call({"event": "gala", "seats": 20})

    assert outcome.is_error
    assert outcome.text == f"At most 10 seats per booking; 20 were asked for. (execution {outcome.execution_id})"


async def test_a_workflow_reporting_success_false_is_an_error_outcome_with_its_value(app: App) -> None:
    _, tool = await owner_tool(app, "archive_mailbox")

    outcome = await tool.call({"mailbox": "ada@example.org"})

    assert outcome.is_error
    assert outcome.text.splitlines() == [
        f"The workflow reported failure: mailbox is on litigation hold (execution {outcome.execution_id})",
        '{"success": false, "error": "mailbox is on litigation hold", "mailbox": "ada@example.org"}',
    ]


async def test_invalid_arguments_are_an_error_outcome_the_model_can_repair(app: App) -> None:
    _, tool = await owner_tool(app, "book_seats")

    outcome = await tool.call({"event": "gala"})

    assert outcome.is_error and "seats" in outcome.text and outcome.execution_id is not None


async def test_a_secret_the_workflow_read_is_redacted_in_the_tool_result(app: App) -> None:
    _, tool = await owner_tool(app, "reads_vendor_key")

    outcome = await tool.call({})

    assert SECRET not in outcome.text
    assert outcome.text == "The vendor key is [REDACTED]"


async def test_workflow_tools_are_the_tools_the_caller_may_use(app: App) -> None:
    caller = await app.host.callers.owner()

    tools = workflow_tools(app, caller, session_id=SESSION)

    assert sorted(t.name for t in tools) == sorted(e.tool_name or "" for e in app.visible_tools(caller))
    assert {t.session_id for t in tools} == {SESSION}
