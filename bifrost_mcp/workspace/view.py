"""`bifrost.workflows` for one caller: the workflows of the registry the gate lets them use."""

from __future__ import annotations

import builtins

from bifrost.types import WorkflowMetadata
from bifrost_mcp import access
from bifrost_mcp.caller import Caller
from bifrost_mcp.workspace.registry import Registry


class WorkflowsView:
    def __init__(self, registry: Registry, caller: Caller) -> None:
        self.registry = registry
        self.caller = caller

    async def list(self) -> builtins.list[WorkflowMetadata]:
        entries = [entry for _, entry in sorted(self.registry.workflows.items())]
        return [entry.metadata() for entry in access.usable(self.caller, entries)]
