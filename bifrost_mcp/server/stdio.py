"""MCP over stdio: one client, one caller fixed for the session, the workspace watched meanwhile.

stdout is the protocol wire: nothing here may print; diagnostics go through logging (stderr).
"""

from __future__ import annotations

import anyio
from mcp.server.stdio import stdio_server

from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.server.protocol import BifrostServer


async def serve_stdio(app: App, caller: Caller) -> None:
    """Serve `app` on stdin/stdout as `caller` until the client closes stdin."""

    async def resolve(_ctx: object) -> Caller:
        return caller

    bifrost = BifrostServer(app, resolve)
    async with anyio.create_task_group() as tg:
        tg.start_soon(app.watch)
        tg.start_soon(app.maintain)
        async with stdio_server() as (read, write):
            await bifrost.server.run(read, write, bifrost.server.create_initialization_options())
        tg.cancel_scope.cancel()
