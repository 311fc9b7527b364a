"""tools: what an MCP client connected as the caller (the owner, or --token's user) would list.

That is the workflow tools the caller may run and, as `agent_<name>`, the agents they may chat with. --json
prints the definitions exactly as tools/list carries them; an agent's carries `_meta["bifrost/agent"]`.
"""

from __future__ import annotations

import typer

from bifrost_mcp.app import App
from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, OrgOpt, TokenOpt, WorkspaceOpt, emit, run, table
from bifrost_mcp.server.agent_tools import AGENT_META_KEY, listed_tools
from bifrost_mcp.settings import HostSettings


def tools(
    workspace: WorkspaceOpt = None,
    data_dir: DataDirOpt = None,
    token: TokenOpt = None,
    org: OrgOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The tools an MCP client would see, agents included: name, description, inputSchema."""

    async def body() -> None:
        async with App.opened(HostSettings.from_env(data_dir=data_dir, workspace=workspace)) as application:
            caller = await application.host.callers.resolve(token, org)  # a refusal: one line, exit 1
            listed = listed_tools(application, caller)
            for error in application.registry.errors:
                typer.echo(f"workspace error: {error}", err=True)
            rows: list[list[str]] = []
            agent_rows: list[list[str]] = []
            for tool in listed:
                agent = application.registry.agents.get((tool.meta or {}).get(AGENT_META_KEY, ""))
                if agent is None:
                    rows.append([tool.name, tool.description or ""])
                else:  # the agent's own description: the tool's adds how to call it
                    agent_rows.append([agent.name, tool.name, agent.agent.description or ""])

            def text() -> str:
                agents_table = table(agent_rows, ["AGENT", "MCP TOOL", "DESCRIPTION"])
                return table(rows, ["TOOL", "DESCRIPTION"]) + "\n\n" + agents_table

            data = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in listed]
            emit(data, as_json, text)

    run(body)
