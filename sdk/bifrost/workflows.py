"""Workflow metadata and execution status."""

from __future__ import annotations

import builtins

from bifrost._runtime import platform
from bifrost.types import WorkflowExecution, WorkflowMetadata


async def list() -> builtins.list[WorkflowMetadata]:
    """The workflows visible to the caller."""
    return await platform().workflows.list()


async def get(execution_id: str) -> WorkflowExecution:
    """An execution's details (same access rules as executions.get)."""
    return await platform().executions.get(execution_id)


__all__ = ["get", "list"]
