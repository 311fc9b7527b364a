"""The Platform bound to one run: every SDK service constructed for this caller, lazily."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from bifrost import _ports as ports
from bifrost.types import WorkflowMetadata
from bifrost_mcp.access import can_use
from bifrost_mcp.ai.settings import caller_settings
from bifrost_mcp.data.config import ConfigAdmin, ConfigService
from bifrost_mcp.data.files.service import FilesService
from bifrost_mcp.data.tables.service import TablesService
from bifrost_mcp.executions.service import ExecutionsService
from bifrost_mcp.identity.caller import Caller
from bifrost_mcp.identity.services import FormsService, OrganizationsService, RolesService, UsersService
from bifrost_mcp.runner.state import RunState

if TYPE_CHECKING:
    from bifrost_mcp.app import App


class WorkflowsService:
    def __init__(self, app: App, caller: Caller) -> None:
        self.app, self.caller = app, caller

    async def list(self) -> list[WorkflowMetadata]:
        registry = self.app.registry
        return [e.metadata() for name, e in sorted(registry.workflows.items()) if can_use(self.caller, e.spec)]


class RunPlatform:
    """Implements bifrost._ports.Platform for one caller and one run."""

    def __init__(self, app: App, caller: Caller, state: RunState) -> None:
        self.app = app
        self.caller = caller
        self.state = state

    @cached_property
    def config(self) -> ports.ConfigService:
        host = self.app.host
        return ConfigService(host.db, host.secrets, self.caller, self.state)

    @cached_property
    def tables(self) -> ports.TablesService:
        return TablesService(self.app.host.db, self.caller)

    @cached_property
    def files(self) -> ports.FilesService:
        return FilesService(self.app.host.settings, self.caller)

    @cached_property
    def integrations(self) -> ports.IntegrationsService:
        return self.app.host.integrations.for_caller(self.caller, self.state)

    @cached_property
    def executions(self) -> ports.ExecutionsService:
        return ExecutionsService(self.app.host.executions, self.caller)

    @cached_property
    def workflows(self) -> ports.WorkflowsService:
        return WorkflowsService(self.app, self.caller)

    @cached_property
    def organizations(self) -> ports.OrganizationsService:
        return OrganizationsService(self.app.host.identity, self.caller)

    @cached_property
    def users(self) -> ports.UsersService:
        return UsersService(self.app.host.identity, self.caller)

    @cached_property
    def roles(self) -> ports.RolesService:
        return RolesService(self.app.host.identity, self.caller)

    @cached_property
    def forms(self) -> ports.FormsService:
        return FormsService(self.app.host.identity, self.caller)

    @cached_property
    def ai(self) -> ports.AIService:
        from bifrost_mcp.ai.service import LLMService  # imports the vendor SDKs: only when a run uses ai

        host = self.app.host
        return LLMService(
            caller_settings(ConfigAdmin(host.db, host.secrets), self.caller.scope, self.state),
            host.ai_clients,
            knowledge_search=self.app.knowledge_search(self.caller),
            record_usage=self.state.record_usage,
        )

    @cached_property
    def knowledge(self) -> ports.KnowledgeService:
        return self.app.host.knowledge.for_scope(self.caller.scope)


def _typecheck(platform: RunPlatform) -> ports.Platform:
    return platform  # mypy proves RunPlatform satisfies the Platform protocol


_: Any = _typecheck
