"""Workflow metadata and execution status."""

from __future__ import annotations

import builtins

from bifrost.platform import call, returned, returned_list
from bifrost.types import WorkflowExecution, WorkflowMetadata


async def list() -> builtins.list[WorkflowMetadata]:
    """The workflows visible to the caller."""
    return returned_list(WorkflowMetadata, await call("workflows.list"))


async def get(execution_id: str) -> WorkflowExecution:
    """An execution's details (same access rules as executions.get)."""
    return returned(WorkflowExecution, await call("executions.get", execution_id=execution_id))


__all__ = ["get", "list"]
