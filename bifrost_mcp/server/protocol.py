"""The MCP server: workflows as tools, agents as tools and prompts, @prompts, data providers as resources.

Every visible is_tool workflow is a tool, every agent `agent_<name>` (a tool and a prompt), every @prompt a
prompt, every data provider a resource; `completion/complete` answers from `options(...)` providers.

Built on the low-level `mcp.server.Server` for control over per-caller listings and result shapes. Tool
definitions are built once per registry version; tool lists are filtered per caller and never cached across
callers (cacheScope private). Both protocol eras are served: list_changed reaches 2025-era sessions as
notifications on their connection and 2026-07-28 clients through `subscriptions/listen`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import mcp_types as types
from mcp.server import CacheHint, ServerRequestContext
from mcp.server.context import CallNext, HandlerResult
from mcp.shared.exceptions import MCPError
from mcp_types.methods import validate_client_request
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from bifrost_mcp import __version__
from bifrost_mcp.access import visibility_key
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.executions.report import execution_report
from bifrost_mcp.executions.view import ExecutionsView
from bifrost_mcp.runner.rendering import render_text
from bifrost_mcp.server.agent_tools import call_agent_tool, find_agent_tool, listed_tools, progress_of
from bifrost_mcp.server.background import EXECUTION_RESOURCE_PREFIX, Tasks
from bifrost_mcp.server.client import set_logging_level
from bifrost_mcp.server.completions import complete
from bifrost_mcp.server.confirmations import Confirmations
from bifrost_mcp.server.list_changed import ListChanged, ListChangedServer
from bifrost_mcp.server.prompts import get_prompt, listed_prompts
from bifrost_mcp.server.resources import AuthorResources
from bifrost_mcp.server.tools import (
    DATA_PROVIDER_PREFIX,
    provider_parameters,
    resource_definition,
    template_definition,
)
from bifrost_mcp.server.workflow_tools import call_workflow_tool
from bifrost_mcp.workspace import Registry

logger = logging.getLogger(__name__)

CallerResolver = Callable[[ServerRequestContext[Any, Any]], Awaitable[Caller]]
RESOURCE_NOT_FOUND = -32002
KNOWLEDGE_PREFIX = "bifrost://knowledge/"
INSTRUCTIONS = (
    "Tools here are bifrost workflows run for you under your identity and organization. "
    "A failed call returns isError with the reason and an execution id you can quote."
)
_PRIVATE = CacheHint(ttl_ms=0, scope="private")
EXECUTION_TEMPLATE = types.ResourceTemplate(
    uri_template=EXECUTION_RESOURCE_PREFIX + "{execution_id}",
    name="execution",
    description="One of your executions: its status, and its result or error and logs once finished "
    "(what the get_execution tool returns).",
    mime_type="application/json",
)
# Wire-form tools/list results kept (one per protocol version and access); far more would mean role churn.
_MAX_WIRE_LISTS = 256


class BifrostServer:
    def __init__(self, app: App, resolve_caller: CallerResolver) -> None:
        self.app = app
        self.resolve_caller = resolve_caller
        self._wire_lists: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.confirmations = Confirmations()
        self.server = ListChangedServer(
            "bifrost-mcp",
            version=__version__,
            title="bifrost-mcp",
            instructions=INSTRUCTIONS,
            cache_hints={
                "tools/list": _PRIVATE,
                "resources/list": _PRIVATE,
                "resources/templates/list": _PRIVATE,
                "resources/read": _PRIVATE,
                "prompts/list": _PRIVATE,
            },
            # Header validation runs before we know the caller; validating there could reveal hidden tools.
            get_tool_input_schema=lambda _name: None,
            on_list_tools=self._list_tools,
            on_list_resources=self._list_resources,
            on_list_resource_templates=self._list_templates,
            on_read_resource=self._read_resource,
            on_list_prompts=self._list_prompts,
            on_get_prompt=self._get_prompt,
            on_completion=self._complete,
        )
        self.resources = AuthorResources(app, resolve_caller)  # @resource functions, subscriptions
        self.changes = ListChanged(self.server, resources=True, prompts=True, bus=self.resources.bus)
        self.resources.install(self.server)
        self.server.middleware.append(self._serve_tool_list)
        # seals the requestState of approvals asked on the 2026-07-28 flow, and refuses any it did not seal
        self.server.middleware.append(self.confirmations.boundary(self.server.name))
        # tools/call may answer a task (a plain dict), which the typed `on_call_tool` does not admit
        self.server.add_request_handler("tools/call", types.CallToolRequestParams, self._call_tool)
        Tasks(app, resolve_caller).install(self.server)  # async and long runs, for clients that speak Tasks
        # workflows' log lines to 2025-era sessions that ask (added directly: the constructor hook warns, deprecated)
        self.server.add_request_handler("logging/setLevel", types.SetLevelRequestParams, set_logging_level)
        app.on_registry_change(self._registry_changed)

    async def _serve_tool_list(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        """tools/list answered from its wire form, serialized once per (protocol version, registry version, access).

        Serializing 1,000 tool definitions (the result model's dump, then the SDK's validate-and-dump sieve)
        costs far more than anything else in a listing, and the result depends only on the protocol version,
        the registry and the caller's access (admin, roles), which the key holds. The first request for a key
        goes through the handler and the SDK's serialization, cache hint included (`cacheScope: private`);
        later ones get a copy of that result after the checks the SDK would make: the request's surface
        validation, and an initialized connection on the handshake era (others go the ordinary way).
        """
        if ctx.method != "tools/list" or not (
            ctx.protocol_version in MODERN_PROTOCOL_VERSIONS or ctx.session.client_params is not None
        ):
            return await call_next(ctx)
        caller = await self.resolve_caller(ctx)
        key = (ctx.protocol_version, self.app.registry.version, visibility_key(caller))
        cached = self._wire_lists.get(key)
        if cached is not None:
            try:
                validate_client_request(ctx.method, ctx.protocol_version, ctx.params)
            except Exception:  # the SDK's own path produces the exact error
                return await call_next(ctx)
            return dict(cached)
        result = await call_next(ctx)
        if isinstance(result, dict) and key[1] == self.app.registry.version:
            if len(self._wire_lists) >= _MAX_WIRE_LISTS:
                self._wire_lists.clear()
            self._wire_lists[key] = result
            return dict(result)
        return result

    async def _registry_changed(self, registry: Registry) -> None:
        self._wire_lists.clear()
        await self.changes.notify()

    # tools
    async def _list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        # Reached once per (protocol version, registry version, access): `_serve_tool_list` answers repeats.
        return types.ListToolsResult(tools=listed_tools(self.app, await self.resolve_caller(ctx)))

    async def _call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult | types.InputRequiredResult | dict[str, Any]:
        caller = await self.resolve_caller(ctx)
        entry = self.app.find_tool(caller, params.name)
        if entry is None:
            agent = find_agent_tool(self.app, caller, params.name)
            if agent is None:
                raise MCPError(types.INVALID_PARAMS, f"Unknown tool: {params.name}")
            return await call_agent_tool(self.app, self.confirmations, ctx, caller, agent, params)
        return await call_workflow_tool(self.app, self.confirmations, ctx, caller, entry, params, progress_of(ctx))

    # prompts and completions
    async def _list_prompts(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=listed_prompts(self.app, await self.resolve_caller(ctx)))

    async def _get_prompt(
        self, ctx: ServerRequestContext[Any, Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        return await get_prompt(self.app, await self.resolve_caller(ctx), params)

    async def _complete(
        self, ctx: ServerRequestContext[Any, Any], params: types.CompleteRequestParams
    ) -> types.CompleteResult:
        return await complete(self.app, await self.resolve_caller(ctx), params)

    # resources: data providers
    async def _list_resources(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        caller = await self.resolve_caller(ctx)
        providers = self.app.visible_data_providers(caller)
        resources = [resource_definition(e) for e in providers if not provider_parameters(e)]
        resources += self.resources.listed(caller)
        return types.ListResourcesResult(resources=resources + await self._knowledge_resources(caller))

    async def _knowledge_resources(self, caller: Caller) -> list[types.Resource]:
        from bifrost_mcp.knowledge.view import KnowledgeView  # Chroma loads on first use, not at start-up

        try:
            namespaces = await KnowledgeView(self.app.host.knowledge, caller.scope).list_namespaces()
        except Exception:  # an unavailable knowledge store must not hide the other resources
            logger.warning("knowledge namespaces could not be listed", exc_info=True)
            return []
        return [
            types.Resource(
                uri=KNOWLEDGE_PREFIX + quote(info.name, safe=""),
                name=f"knowledge/{info.name}",
                description=f"Knowledge namespace {info.name!r}: {info.org_document_count} organization and "
                f"{info.global_document_count} shared document(s)",
                mime_type="application/json",
            )
            for info in namespaces
        ]

    async def _read_knowledge(self, caller: Caller, uri: str) -> types.ReadResourceResult:
        from bifrost_mcp.knowledge.view import KnowledgeView

        namespace = unquote(uri[len(KNOWLEDGE_PREFIX) :])
        try:
            documents = await KnowledgeView(self.app.host.knowledge, caller.scope).list_documents(namespace)
        except ValueError as exc:  # a malformed namespace name
            raise MCPError(types.INVALID_PARAMS, str(exc)) from exc
        if not documents:
            raise MCPError(RESOURCE_NOT_FOUND, f"Resource not found: {uri}")
        text = json.dumps({"namespace": namespace, "documents": documents}, ensure_ascii=False, default=str)
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=uri, mime_type="application/json", text=text)]
        )

    async def _list_templates(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        caller = await self.resolve_caller(ctx)
        providers = self.app.visible_data_providers(caller)
        return types.ListResourceTemplatesResult(
            resource_templates=[
                *(template_definition(e) for e in providers if provider_parameters(e)),
                *self.resources.templates(caller),
                EXECUTION_TEMPLATE,
            ]
        )

    async def _read_execution(self, caller: Caller, uri: str) -> types.ReadResourceResult:
        """As the get_execution tool reads it; another caller's execution answers like an unknown one."""
        execution_id = unquote(uri[len(EXECUTION_RESOURCE_PREFIX) :])
        execution = (
            await ExecutionsView(self.app.host.executions, caller).report(execution_id) if execution_id else None
        )
        if execution is None:
            raise MCPError(RESOURCE_NOT_FOUND, f"Resource not found: {uri}")
        text = json.dumps(execution_report(execution), ensure_ascii=False, default=str)
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=uri, mime_type="application/json", text=text)]
        )

    async def _read_resource(
        self, ctx: ServerRequestContext[Any, Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        caller = await self.resolve_caller(ctx)
        uri = str(params.uri)
        authored = await self.resources.read(caller, uri)  # author URIs, and content kept beside executions
        if authored is not None:
            return authored
        if uri.startswith(KNOWLEDGE_PREFIX):
            return await self._read_knowledge(caller, uri)
        if uri.startswith(EXECUTION_RESOURCE_PREFIX):
            return await self._read_execution(caller, uri)
        if not uri.startswith(DATA_PROVIDER_PREFIX):
            raise MCPError(RESOURCE_NOT_FOUND, f"Resource not found: {uri}")
        parts = urlsplit(uri)
        name = unquote(uri[len(DATA_PROVIDER_PREFIX) :].split("?", 1)[0])
        entry = self.app.find_data_provider(caller, name)
        if entry is None:
            raise MCPError(RESOURCE_NOT_FOUND, f"Resource not found: {uri}")
        arguments = dict(parse_qsl(parts.query, keep_blank_values=True))
        outcome = await self.app.read_data_provider(entry, arguments, caller)
        if outcome.message is not None:
            raise MCPError(types.INTERNAL_ERROR, f"{outcome.message} (execution {outcome.execution_id})")
        text = render_text(outcome.value) if not isinstance(outcome.value, str) else json.dumps(outcome.value)
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=uri, mime_type="application/json", text=text)]
        )
