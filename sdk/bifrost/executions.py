"""Execution history (../shared/spec/executions-module.md)."""

from __future__ import annotations

import builtins

from bifrost._context import _current_context
from bifrost.errors import NoExecutionContextError
from bifrost.platform import call, returned, returned_list
from bifrost.types import ExecutionLog, WorkflowExecution

MAX_LIMIT = 1000


async def list(
    workflow_name: str | None = None,
    status: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    limit: int = 50,
) -> builtins.list[WorkflowExecution]:
    """Executions visible to the caller, newest first. `limit` is capped at 1000."""
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"limit must be a positive integer, got {limit!r}")
    found = await call(
        "executions.list",
        workflow_name=workflow_name,
        status=status,
        start_date=start_date,
        end_date=end_date,
        limit=min(limit, MAX_LIMIT),
    )
    return returned_list(WorkflowExecution, found)


async def get(execution_id: str) -> WorkflowExecution:
    """One execution. Raises ValueError if not found, PermissionError if the caller may not see it."""
    return returned(WorkflowExecution, await call("executions.get", execution_id=execution_id))


async def get_current_logs(
    execution_id: str | None = None, start: str = "0", count: int = 100
) -> builtins.list[ExecutionLog]:
    """Log entries from stream id `start` on, that entry included ("0" = beginning), at most `count`.

    Of this execution, or of `execution_id`. To read on after the last entry read, start at its id plus one.
    """
    if execution_id is None:
        ctx = _current_context.get()
        if ctx is None:
            raise NoExecutionContextError(
                "get_current_logs() needs an execution_id when called outside a running workflow"
            )
        execution_id = ctx.execution_id
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")
    logs = await call("executions.get_logs", execution_id=execution_id, start=start, count=count)
    return returned_list(ExecutionLog, logs)


__all__ = ["get", "get_current_logs", "list"]
