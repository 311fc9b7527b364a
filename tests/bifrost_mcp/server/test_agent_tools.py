"""Agents over MCP: each agent a caller may chat with is the tool `agent_<name>`, answered by a chat turn."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from bifrost.llm import ToolCall
from bifrost.testing import TestModel, override_model
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.server.protocol import BifrostServer
from tests.support.mcp import MODES, opened_app, server_for, text_of
from tests.support.workspace import workspace_modules_dropped, write_files

WORKSPACE = {
    "tickets.py": """
from bifrost import Agent, workflow


@workflow(is_tool=True)
async def lookup_ticket(ticket: str) -> dict:
    '''Look a ticket up.'''
    return {"ticket": ticket, "status": "open"}


helpdesk = Agent("helpdesk", description="Service desk", tools=[lookup_ticket])
technicians = Agent("technicians", tools=[lookup_ticket], roles=["Technician"])
""",
}
CLASH = {
    "clash.py": """
from bifrost import workflow


@workflow(is_tool=True)
async def agent_helpdesk() -> str:
    '''A workflow that happens to be called like the helpdesk agent's tool.'''
    return "the workflow"
""",
}


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    with workspace_modules_dropped(tmp_path / "ws") as path:
        path.mkdir()
        write_files(path, WORKSPACE)
        yield path


@pytest.fixture
async def app(tmp_path: Path, root: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path / "data", workspace=root) as opened:
        yield opened


async def member(app: App, email: str) -> Caller:
    orgs = {o.name: o for o in await app.host.identity.list_orgs()}
    org = orgs.get("Acme") or await app.host.identity.create_org("Acme")
    created = await app.host.identity.create_user(email, email.split("@")[0], org_id=org.id)
    return await app.host.callers.for_user(created.id)


@pytest.mark.parametrize("mode", MODES)
async def test_the_agents_a_caller_may_chat_with_are_listed_as_tools_and_hidden_ones_are_unknown(
    app: App, mode: str
) -> None:
    ada = await member(app, "ada@acme.test")
    async with Client(server_for(app, ada).server, mode=mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        with pytest.raises(MCPError) as hidden:
            await client.call_tool("agent_technicians", {"message": "hi"})
        with pytest.raises(MCPError) as unknown:
            await client.call_tool("agent_nobody", {"message": "hi"})

    assert {"agent_helpdesk", "agent_assistant", "lookup_ticket"} <= set(tools)
    assert "agent_technicians" not in tools
    assert tools["agent_helpdesk"].input_schema["required"] == ["message"]
    assert (tools["agent_helpdesk"].description or "").startswith("Service desk")
    assert hidden.value.error.code == unknown.value.error.code
    assert str(hidden.value).replace("agent_technicians", "X") == str(unknown.value).replace("agent_nobody", "X")


@pytest.mark.parametrize("mode", MODES)
async def test_calling_an_agent_tool_chats_as_the_caller_and_reports_each_tool_step(app: App, mode: str) -> None:
    ada = await member(app, "ada@acme.test")
    progress: list[str | None] = []

    async def on_progress(_done: float, _total: float | None, message: str | None) -> None:
        progress.append(message)

    model = TestModel("Ticket T-1 is open.", tool_calls=[ToolCall("c1", "lookup_ticket", {"ticket": "T-1"})])
    with override_model(model):
        async with Client(server_for(app, ada).server, mode=mode) as client:
            first = await client.call_tool("agent_helpdesk", {"message": "Is T-1 open?"}, progress_callback=on_progress)
            assert first.structured_content is not None
            conversation_id = first.structured_content["conversation_id"]
            second = await client.call_tool("agent_helpdesk", {"message": "Thanks", "conversation_id": conversation_id})

    assert not first.is_error and text_of(first) == "Ticket T-1 is open."
    assert first.structured_content["answer"] == "Ticket T-1 is open."
    assert second.structured_content is not None and second.structured_content["conversation_id"] == conversation_id
    (step,) = progress
    assert step is not None and step.startswith("tool step 1 done (execution ")
    conversation = await app.host.conversations.get(conversation_id)
    assert conversation is not None and conversation.user_id == ada.user_id and conversation.agent == "helpdesk"
    execution_id = step.removeprefix("tool step 1 done (execution ").rstrip(")")
    record = await app.host.executions.get(execution_id)
    assert record is not None and record.executed_by == ada.user_id and record.session_id == conversation_id


async def test_another_users_conversation_cannot_be_continued_through_the_tool(app: App) -> None:
    ada, bob = await member(app, "ada@acme.test"), await member(app, "bob@acme.test")
    with override_model(TestModel("hello")):
        async with Client(server_for(app, ada).server, mode="auto") as client:
            started = await client.call_tool("agent_helpdesk", {"message": "Hello"})
        assert started.structured_content is not None
        async with Client(server_for(app, bob).server, mode="auto") as client:
            taken = await client.call_tool(
                "agent_helpdesk", {"message": "Hi", "conversation_id": started.structured_content["conversation_id"]}
            )
            no_message = await client.call_tool("agent_helpdesk", {})

    assert taken.is_error and no_message.is_error
    assert "message" in text_of(no_message)


async def test_a_workflow_named_like_an_agent_tool_wins_and_the_agent_is_not_offered(
    tmp_path: Path, root: Path
) -> None:
    write_files(root, CLASH)
    async with opened_app(tmp_path / "data", workspace=root) as app:
        ada = await member(app, "ada@acme.test")
        async with Client(server_for(app, ada).server, mode="auto") as client:
            listed = [t.name for t in (await client.list_tools()).tools]
            called = await client.call_tool("agent_helpdesk", {})

    assert listed.count("agent_helpdesk") == 1 and "agent_assistant" in listed
    assert not called.is_error and called.structured_content == {"result": "the workflow"}


async def test_cached_tool_lists_show_each_caller_only_the_agents_their_roles_allow(app: App) -> None:
    ada = await member(app, "ada@acme.test")
    tech = await member(app, "tech@acme.test")
    role = await app.host.identity.create_role((await app.host.identity.resolve_org("Acme")).id, "Technician")
    await app.host.identity.assign_users(role.id, [tech.user_id])
    tech = await app.host.callers.for_user(tech.user_id)
    current = [tech]

    async def resolve(_ctx: object) -> Caller:
        return current[0]

    server = BifrostServer(app, resolve)  # one server, one wire-list cache, two callers in turn
    seen: list[set[str]] = []
    for caller in (tech, ada, tech):
        current[0] = caller
        async with Client(server.server, mode="auto") as client:
            seen.append({t.name for t in (await client.list_tools()).tools if t.name.startswith("agent_")})

    assert seen[0] == seen[2] == {"agent_assistant", "agent_helpdesk", "agent_technicians"}
    assert seen[1] == {"agent_assistant", "agent_helpdesk"}
