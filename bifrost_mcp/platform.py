"""The platform bound to one run: each SDK operation answered by the caller's view of its domain.

`bifrost.platform.call("tables.insert", ...)` arrives here as ("tables", "insert", arguments): the view of
the `tables` domain, built for this run's caller on first use, answers through its method of that name. A
view's public methods are its operations, so every view is written for exactly this caller, and the run
cannot name another.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from bifrost.errors import NotAvailableError
from bifrost.types import KnowledgeDocument
from bifrost_mcp.ai.settings import caller_settings
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.config import ConfigView
from bifrost_mcp.data.files.view import FilesView
from bifrost_mcp.data.integrations.view import IntegrationsView
from bifrost_mcp.data.tables.limits import TableLimits
from bifrost_mcp.data.tables.view import TablesView
from bifrost_mcp.executions.state import RunState
from bifrost_mcp.executions.view import ExecutionsView
from bifrost_mcp.host import Host
from bifrost_mcp.identity.views import FormsView, OrganizationsView, RolesView, UsersView
from bifrost_mcp.peer import NO_CLIENT, ClientPeer, ClientView
from bifrost_mcp.workspace.registry import Registry
from bifrost_mcp.workspace.resources import ResourcesView
from bifrost_mcp.workspace.view import WorkflowsView


class RunPlatform:
    """Implements `bifrost.platform.Platform` for one caller and one run."""

    def __init__(
        self, host: Host, registry: Registry, caller: Caller, state: RunState, peer: ClientPeer = NO_CLIENT
    ) -> None:
        self.host = host
        self.registry = registry
        self.caller = caller
        self.state = state
        self.peer = peer  # the client that started the run, if any: progress, questions, sampling
        self._views: dict[str, object] = {}

    async def call(self, operation: str, arguments: dict[str, Any]) -> Any:
        return await self.operation(operation)(**arguments)

    def stream(self, operation: str, arguments: dict[str, Any]) -> AsyncIterator[Any]:
        return self.operation(operation)(**arguments)  # type: ignore[no-any-return]

    def operation(self, operation: str) -> Callable[..., Any]:
        """The bound method of the caller's view that answers `operation` ("tables.insert")."""
        domain, _, name = operation.partition(".")
        view = self._views.get(domain)
        if view is None:
            build = _VIEWS.get(domain)
            if build is None:
                raise NotAvailableError(f"this host has no {domain!r} module (operation {operation!r})")
            view = self._views[domain] = build(self)
        # Only methods the view's class defines are operations: never its attributes, never a private name.
        if name.startswith("_") or not callable(getattr(type(view), name, None)):
            raise NotAvailableError(f"this host has no operation {operation!r}")
        return getattr(view, name)  # type: ignore[no-any-return]

    def _ai(self) -> object:
        from bifrost_mcp.ai.view import AIView  # imports the vendor SDKs: only when a run uses ai

        host = self.host
        return AIView(
            caller_settings(host.config, self.caller.scope, self.state),
            host.ai_clients,
            knowledge_search=self._knowledge_search,
            record_usage=self.state.record_usage,
            peer=self.peer,
            redact=self.state.redact,
        )

    async def _knowledge_search(self, query: str, namespaces: list[str], limit: int) -> list[KnowledgeDocument]:
        """RAG for ai.complete(knowledge=[...]): the caller's own knowledge view, GLOBAL documents as fallback."""
        search = self.operation("knowledge.search")
        documents: list[KnowledgeDocument] = await search(query, namespaces, limit, None, None, True)
        return documents

    def _knowledge(self) -> object:
        from bifrost_mcp.knowledge.view import KnowledgeView  # opens Chroma and the embedder: only when used

        return KnowledgeView.for_caller(self.host.knowledge, self.caller)


_VIEWS: dict[str, Callable[[RunPlatform], object]] = {
    "config": lambda p: ConfigView(p.host.config, p.caller, p.state),
    "tables": lambda p: TablesView(p.host.db, p.caller, TableLimits.of(p.host.settings)),
    "files": lambda p: FilesView(p.host.settings, p.caller),
    "integrations": lambda p: IntegrationsView(p.host.integrations, p.caller, p.state),
    "executions": lambda p: ExecutionsView(p.host.executions, p.caller),
    "workflows": lambda p: WorkflowsView(p.registry, p.caller),
    "organizations": lambda p: OrganizationsView(p.host.identity, p.caller),
    "users": lambda p: UsersView(p.host.identity, p.caller),
    "roles": lambda p: RolesView(p.host.identity, p.caller),
    "forms": lambda p: FormsView(p.host.identity, p.caller),
    "resources": lambda p: ResourcesView(p.host.resource_changes, p.registry, p.caller),
    "ai": RunPlatform._ai,
    "knowledge": RunPlatform._knowledge,
    "client": lambda p: ClientView(p.peer, p.state.redact),
}
