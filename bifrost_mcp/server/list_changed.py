"""Telling every session of one MCP server that its lists changed, in both protocol eras.

2025-era sessions get `notifications/tools/list_changed` (and resources/list_changed) on their connection's
standalone channel; 2026-07-28 clients get the same events on their `subscriptions/listen` stream. /mcp and
/mcp/agents/<name> both use it, so a workspace reload reaches each of their sessions the same way.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

import mcp_types as types
from mcp.server import NotificationOptions, Server, ServerRequestContext
from mcp.server.connection import Connection
from mcp.server.context import CallNext, HandlerResult
from mcp.server.models import InitializationOptions
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler
from mcp.shared.subscriptions import PromptsListChanged, ResourcesListChanged, ToolsListChanged
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

logger = logging.getLogger(__name__)


class ListChangedServer(Server[Any]):
    """A low-level Server that advertises list_changed to 2025-era clients on every transport."""

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> InitializationOptions:
        # capabilities follow the registered handlers, so a server without resources advertises none of these
        options = notification_options or NotificationOptions(
            tools_changed=True, resources_changed=True, prompts_changed=True
        )
        return super().create_initialization_options(options, experimental_capabilities, extensions)


class ListChanged:
    """The sessions of `server` and how to tell them: serves `subscriptions/listen`, remembers 2025-era connections.

    Create it before adding other middleware, so every request is seen; call `notify` after a change.
    """

    def __init__(
        self,
        server: ListChangedServer,
        *,
        resources: bool,
        prompts: bool = False,
        bus: InMemorySubscriptionBus | None = None,
    ) -> None:
        self.bus = bus or InMemorySubscriptionBus()
        self._resources = resources
        self._prompts = prompts
        self._legacy: weakref.WeakSet[Connection] = weakref.WeakSet()
        listen = ListenHandler(self.bus)
        server.add_request_handler("subscriptions/listen", types.SubscriptionsListenRequestParams, listen)
        server.middleware.append(self._track_connection)

    async def _track_connection(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            # The SDK exposes no public accessor for a request's connection; it is what 2025-era
            # notifications/tools/list_changed must be sent on.
            connection = getattr(ctx.session, "_connection", None)
            if isinstance(connection, Connection):
                self._legacy.add(connection)
        return await call_next(ctx)

    async def notify(self) -> None:
        """Tell every session the tool list (and resource and prompt lists, where served) changed."""
        await self.bus.publish(ToolsListChanged())
        if self._resources:
            await self.bus.publish(ResourcesListChanged())
        if self._prompts:
            await self.bus.publish(PromptsListChanged())
        for connection in list(self._legacy):
            if not connection.has_standalone_channel:
                continue
            try:
                await connection.send_tool_list_changed()
                if self._resources:
                    await connection.send_resource_list_changed()
                if self._prompts:
                    await connection.send_prompt_list_changed()
            except Exception:  # a client that went away must not stop the others being told
                logger.debug("could not notify a session of the change", exc_info=True)
                self._legacy.discard(connection)
