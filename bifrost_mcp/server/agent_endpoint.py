"""MCP at /mcp/agents/<name>: only the tools one agent may call for the caller.

For clients that should see one agent's toolset and nothing more. It sits behind the same BearerGate as
/mcp. An agent the caller may not chat with answers 404 exactly like an unknown one, before any MCP traffic;
the handlers look the agent up again on every request, so a hot reload or a role change since the session
began narrows the toolset at once. A workspace reload tells every session, as /mcp does (`ListChanged`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import mcp_types as types
from mcp.server import CacheHint, ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from bifrost.errors import AccessDenied
from bifrost_mcp import __version__
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.server.agent_tools import progress_of
from bifrost_mcp.server.auth import CALLER_SCOPE_KEY
from bifrost_mcp.server.background import Tasks
from bifrost_mcp.server.client import set_logging_level
from bifrost_mcp.server.confirmations import Confirmations
from bifrost_mcp.server.list_changed import ListChanged, ListChangedServer
from bifrost_mcp.server.sessions import SessionLimits
from bifrost_mcp.server.tools import tool_definition
from bifrost_mcp.server.workflow_tools import call_workflow_tool
from bifrost_mcp.workspace import RegisteredWorkflow, Registry
from bifrost_mcp.workspace.registry import tool_name_for

_PRIVATE = CacheHint(ttl_ms=0, scope="private")


class AgentEndpoint:
    """The ASGI app behind `/mcp/agents/{name}` (mounted behind BearerGate); run `manager.run()` in the lifespan."""

    def __init__(self, app: App, security: TransportSecuritySettings | None, sessions: SessionLimits) -> None:
        self.app = app
        self.server = ListChangedServer(
            "bifrost-mcp-agent",
            version=__version__,
            cache_hints={"tools/list": _PRIVATE},
            # as on /mcp: header validation runs before the caller is known and could reveal hidden tools
            get_tool_input_schema=lambda _name: None,
            on_list_tools=self._list_tools,
        )
        self.changes = ListChanged(self.server, resources=False)  # first: it must see every request
        self.confirmations = Confirmations()
        self.server.middleware.append(self.confirmations.boundary(self.server.name))
        # tools/call may answer a task (a plain dict), which the typed `on_call_tool` does not admit
        self.server.add_request_handler("tools/call", types.CallToolRequestParams, self._call_tool)
        Tasks(app, self._caller).install(self.server)  # async and long runs, for clients that speak Tasks
        self.server.add_request_handler("logging/setLevel", types.SetLevelRequestParams, set_logging_level)
        self.manager = sessions.manager(self.server, security)
        self._mcp = StreamableHTTPASGIApp(self.manager)
        app.on_registry_change(self._registry_changed)

    async def _registry_changed(self, _registry: Registry) -> None:
        await self.changes.notify()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        caller = scope.get(CALLER_SCOPE_KEY)
        name = scope.get("path_params", {}).get("name", "")
        if not isinstance(caller, Caller) or self.app.find_agent(caller, name) is None:
            response = JSONResponse({"error": "not_found", "error_description": f"no agent named {name!r}"}, 404)
            await response(scope, receive, send)
            return
        await self._mcp(scope, receive, send)

    @staticmethod
    async def _caller(ctx: ServerRequestContext[Any, Any]) -> Caller:
        request = ctx.request
        caller = request.scope.get(CALLER_SCOPE_KEY) if isinstance(request, Request) else None
        if not isinstance(caller, Caller):  # unreachable behind BearerGate; refuse rather than guess
            raise AccessDenied("request reached the agent endpoint without an authenticated caller")
        return caller

    async def _toolset(self, ctx: ServerRequestContext[Any, Any]) -> tuple[Caller, dict[str, RegisteredWorkflow]]:
        """The caller and the agent's tools for them, by tool name."""
        request = ctx.request
        caller = await self._caller(ctx)
        agent = self.app.find_agent(caller, request.path_params.get("name", "")) if request is not None else None
        if agent is None:  # gone or hidden since the session began
            return caller, {}
        tools: dict[str, RegisteredWorkflow] = {}
        for entry in self.app.agent_tools(caller, agent):
            # an agent may use a workflow that is no MCP tool on /mcp; it gets the name the agent loop gives it
            named = entry if entry.tool_name else replace(entry, tool_name=tool_name_for(entry.name))
            tools.setdefault(named.tool_name or "", named)
        return caller, tools

    async def _list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        _caller, tools = await self._toolset(ctx)
        return types.ListToolsResult(tools=[tool_definition(entry) for entry in tools.values()])

    async def _call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult | types.InputRequiredResult | dict[str, Any]:
        caller, tools = await self._toolset(ctx)
        entry = tools.get(params.name)
        if entry is None:
            raise MCPError(types.INVALID_PARAMS, f"Unknown tool: {params.name}")
        return await call_workflow_tool(
            self.app, self.confirmations, ctx, caller, entry, params, progress_of(ctx), readable_later=False
        )
