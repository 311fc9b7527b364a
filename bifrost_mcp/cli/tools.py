"""tools: what an MCP client connected as the owner would list."""

from __future__ import annotations

import typer

from bifrost_mcp.app import App
from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, WorkspaceOpt, emit, run, table
from bifrost_mcp.server.tools import tool_definitions
from bifrost_mcp.settings import HostSettings


def tools(workspace: WorkspaceOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """The tools an MCP client would see (as the owner): name, description, inputSchema."""

    async def body() -> None:
        async with App.opened(HostSettings.from_env(data_dir=data_dir, workspace=workspace)) as application:
            caller = await application.host.callers.owner()
            definitions = tool_definitions(application.registry)
            visible = [definitions[e.tool_name] for e in application.visible_tools(caller) if e.tool_name]
            for error in application.registry.errors:
                typer.echo(f"workspace error: {error}", err=True)
            data = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in visible]
            emit(
                data,
                as_json,
                lambda: table([[t.name, t.description or ""] for t in visible], ["TOOL", "DESCRIPTION"]),
            )

    run(body)
