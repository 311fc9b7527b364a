"""Agents over streamable HTTP: `agent_<name>` on /mcp, and /mcp/agents/<name> serving one agent's toolset."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import mcp_types as types
import pytest
from mcp.shared.exceptions import MCPError

from bifrost.llm import ToolCall
from bifrost.testing import TestModel, override_model
from bifrost_mcp.app import App
from bifrost_mcp.server.http import build_asgi
from tests.support.mcp import MODES, change_notifications, mcp_http_client, opened_app, text_of
from tests.support.poll import poll
from tests.support.server import LoopbackServer
from tests.support.workspace import workspace_modules_dropped, write_files

WORKSPACE = {
    "tickets.py": """
from bifrost import Agent, workflow


@workflow(is_tool=True)
async def lookup_ticket(ticket: str) -> dict:
    '''Look a ticket up.'''
    return {"ticket": ticket, "status": "open"}


@workflow(is_tool=True, roles=["Technician"])
async def close_ticket(ticket: str) -> str:
    '''Close a ticket.'''
    return f"closed {ticket}"


@workflow(is_tool=True)
async def unrelated() -> str:
    '''Not one of the helpdesk's tools.'''
    return "unrelated"


helpdesk = Agent("helpdesk", description="Service desk", tools=[lookup_ticket, close_ticket])
technicians = Agent("technicians", tools=[close_ticket], roles=["Technician"])
""",
}
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}


@dataclass
class Served:
    base: str
    token: str  # a member of Acme without roles

    def agent(self, name: str) -> str:
        return f"{self.base}/mcp/agents/{name}"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        root.mkdir()
        write_files(root, WORKSPACE)
        yield root


@pytest.fixture
async def app(tmp_path: Path, workspace: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path / "data", workspace=workspace) as opened:
        yield opened


@asynccontextmanager
async def serving(app: App) -> AsyncIterator[Served]:
    acme = await app.host.identity.create_org("Acme")
    ada = await app.host.identity.create_user("ada@acme.test", "Ada", org_id=acme.id)
    token = (await app.host.credentials.create_token(ada.id)).token
    server = LoopbackServer()
    async with server.serve(build_asgi(app, port=server.port, watch=False)) as base:
        yield Served(base, token)


@pytest.mark.parametrize("mode", MODES)
async def test_an_agent_endpoint_lists_and_runs_only_the_agents_tools_the_caller_may_run(app: App, mode: str) -> None:
    async with serving(app) as served, mcp_http_client(served.agent("helpdesk"), served.token, mode=mode) as client:
        listed = [t.name for t in (await client.list_tools()).tools]
        looked_up = await client.call_tool("lookup_ticket", {"ticket": "T-1"})
        with pytest.raises(MCPError, match="Unknown tool: unrelated"):
            await client.call_tool("unrelated", {})

    assert listed == ["lookup_ticket"]  # close_ticket needs a role Ada lacks; unrelated is not the agent's
    assert not looked_up.is_error and looked_up.structured_content == {"ticket": "T-1", "status": "open"}


async def test_an_agent_the_caller_may_not_use_answers_404_like_an_unknown_one(app: App) -> None:
    async with serving(app) as served, httpx2.AsyncClient() as http:
        bearer = {"Authorization": f"Bearer {served.token}", "Accept": "application/json, text/event-stream"}
        hidden = await http.post(served.agent("technicians"), json=LIST_TOOLS, headers=bearer)
        unknown = await http.post(served.agent("nobody"), json=LIST_TOOLS, headers=bearer)
        anonymous = await http.post(served.agent("helpdesk"), json=LIST_TOOLS)

    assert hidden.status_code == unknown.status_code == 404
    assert hidden.text.replace("technicians", "X") == unknown.text.replace("nobody", "X")
    assert anonymous.status_code == 401  # the same bearer gate as /mcp


@pytest.mark.parametrize("mode", MODES)
async def test_an_agent_tool_answers_over_http_with_its_conversation(app: App, mode: str) -> None:
    model = TestModel("Ticket T-1 is open.", tool_calls=[ToolCall("c1", "lookup_ticket", {"ticket": "T-1"})])
    steps: list[str | None] = []

    async def on_progress(_done: float, _total: float | None, message: str | None) -> None:
        steps.append(message)

    with override_model(model):
        async with serving(app) as served, mcp_http_client(f"{served.base}/mcp", served.token, mode=mode) as client:
            listed = [t.name for t in (await client.list_tools()).tools]
            answered = await client.call_tool(
                "agent_helpdesk", {"message": "Is T-1 open?"}, progress_callback=on_progress
            )

    assert "agent_helpdesk" in listed and "agent_technicians" not in listed
    assert not answered.is_error and text_of(answered) == "Ticket T-1 is open."
    assert answered.structured_content is not None and answered.structured_content["conversation_id"]
    assert len(steps) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_a_workspace_reload_tells_agent_endpoint_sessions_and_their_list_follows(
    app: App, mode: str, workspace: Path
) -> None:
    received: list[str] = []

    async def on_message(message: Any) -> None:
        # on 2026-07-28 the client also hands the listen stream's events here: count them there only
        if mode == "legacy" and isinstance(message, types.ToolListChangedNotification):
            received.append("ToolsListChanged")

    async with (
        serving(app) as served,
        mcp_http_client(served.agent("helpdesk"), served.token, mode=mode, message_handler=on_message) as client,
    ):
        assert [t.name for t in (await client.list_tools()).tools] == ["lookup_ticket"]
        async with change_notifications(client, mode, received):
            source = (workspace / "tickets.py").read_text()
            (workspace / "tickets.py").write_text(
                source.replace("tools=[lookup_ticket, close_ticket]", "tools=[unrelated]")
            )
            await app.reload()  # what the watcher does on a change; the watcher itself is tested in test_app
            await poll(lambda: received, what="tools/list_changed on the agent endpoint")
            listed = [t.name for t in (await client.list_tools()).tools]

    assert received == ["ToolsListChanged"]
    assert listed == ["unrelated"]
