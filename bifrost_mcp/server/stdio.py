"""MCP over stdio: one client, one caller for the session, re-checked on every call; the workspace watched.

stdout is the protocol wire: nothing here may print; diagnostics go through logging (stderr).
"""

from __future__ import annotations

import anyio
import mcp_types as types
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.errors import AuthenticationError
from bifrost_mcp.server.auth import oauth_error
from bifrost_mcp.server.memory import settle_after_reloads
from bifrost_mcp.server.protocol import BifrostServer
from bifrost_mcp.triggers.dispatcher import Dispatcher
from bifrost_mcp.triggers.scheduler import Scheduler


async def serve_stdio(app: App, token: str | None, org: str | None) -> None:
    """Serve `app` on stdin/stdout until the client closes stdin, as `token`'s caller (else the local owner).

    `org` is an organization a platform admin acts in.

    Raises:
        AuthenticationError: the token or `org` is refused at start (serve prints why).
    """
    callers = app.host.callers
    started_as = await callers.resolve(token, org)
    org_id = started_as.org_id if org else None

    async def resolve(_ctx: object) -> Caller:
        # A session can outlive its credential: each request proves it again, as every HTTP request does.
        try:
            return await callers.recheck(started_as, token, org_id)
        except AuthenticationError as exc:
            data = {"status": exc.status, "error": oauth_error(exc.status)}
            raise MCPError(types.INVALID_REQUEST, exc.reason, data) from None

    bifrost = BifrostServer(app, resolve)
    settle_after_reloads(app)
    async with anyio.create_task_group() as tg:
        tg.start_soon(app.watch)
        tg.start_soon(app.maintain)
        tg.start_soon(Scheduler(app).serve)
        tg.start_soon(Dispatcher(app).run)  # queued (async) runs
        async with stdio_server() as (read, write):
            await bifrost.server.run(read, write, bifrost.server.create_initialization_options())
        tg.cancel_scope.cancel()
