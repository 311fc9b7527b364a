"""Workflow calls that run in the background: an async (or long) workflow's tools/call does not wait for its run.

The run is queued (`App.submit`) and the call answers at once. A client that speaks the MCP Tasks extension
(`io.modelcontextprotocol/tasks` in its per-request capabilities, 2026-07-28) gets a task, which it polls with
`tasks/get` and may cancel with `tasks/cancel`; the task id is the execution id. Any other client gets
`{execution_id, status: "Pending"}` and is told to read the outcome with the `get_execution` tool (or the
resource `bifrost://executions/{id}`). Tasks are bound to the caller through the gate: another caller's task
answers exactly like an unknown one.
"""

from __future__ import annotations

from typing import Any

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from bifrost.enums import ExecutionStatus
from bifrost.errors import ValidationError
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.executions.records import ExecutionRecord, iso
from bifrost_mcp.executions.view import ExecutionsView
from bifrost_mcp.runner.rendering import outcome_text
from bifrost_mcp.runner.runner import RunOutcome
from bifrost_mcp.server.tools import EXECUTION_META_KEY, runs_in_background, tool_result
from bifrost_mcp.workspace import RegisteredWorkflow

TASKS_EXTENSION = "io.modelcontextprotocol/tasks"
POLL_INTERVAL_MS = 2000
EXECUTION_RESOURCE_PREFIX = "bifrost://executions/"
_WORKING = {ExecutionStatus.PENDING: "Waiting for a free slot to run.", ExecutionStatus.RUNNING: "Running."}


def answers_later(app: App, entry: RegisteredWorkflow) -> bool:
    """Whether a tools/call of `entry` is answered before its run ends (see `tools.runs_in_background`)."""
    return runs_in_background(entry.spec, app.host.settings.mcp_hold_seconds)


def speaks_tasks(ctx: ServerRequestContext[Any, Any]) -> bool:
    """Whether this request declared the Tasks extension (only a 2026-07-28 request can receive a task)."""
    capabilities = ctx.session.client_capabilities
    extensions = capabilities.extensions if capabilities is not None else None
    return ctx.protocol_version in MODERN_PROTOCOL_VERSIONS and extensions is not None and TASKS_EXTENSION in extensions


async def call_in_background(
    app: App, ctx: ServerRequestContext[Any, Any], caller: Caller, entry: RegisteredWorkflow, arguments: Any
) -> types.CallToolResult | dict[str, Any]:
    """Queue the run and answer at once: a task for a client that speaks Tasks, else the execution id."""
    try:
        record = await app.submit(entry, arguments, caller)
    except ValidationError as exc:  # the message a sync call fails with; nothing was queued
        return types.CallToolResult(content=[types.TextContent(text=str(exc))], is_error=True)
    if speaks_tasks(ctx):
        return {"resultType": "task", **_task(record)}
    text = (
        f"{entry.name!r} runs in the background (execution {record.id}, Pending). Call the get_execution tool "
        f'with execution_id "{record.id}" in a little while to read its status, result and logs.'
    )
    return types.CallToolResult(
        content=[types.TextContent(text=text)],
        structured_content={"execution_id": record.id, "status": record.status.value, "workflow": entry.name},
        _meta={EXECUTION_META_KEY: record.id},
    )


class TaskIdParams(types.RequestParams):
    task_id: str


class UpdateTaskParams(TaskIdParams):
    input_responses: dict[str, Any] | None = None


class Tasks:
    """tasks/get, tasks/cancel and tasks/update of the Tasks extension, for one server's callers."""

    def __init__(self, app: App, resolve_caller: Any) -> None:
        self.app = app
        self.resolve_caller = resolve_caller  # (ctx) -> Caller, as the server resolves it for every request

    def install(self, server: Server[Any]) -> None:
        server.extensions[TASKS_EXTENSION] = {}
        server.add_request_handler("tasks/get", TaskIdParams, self._get)
        server.add_request_handler("tasks/cancel", TaskIdParams, self._cancel)
        server.add_request_handler("tasks/update", UpdateTaskParams, self._update)

    async def _record(self, ctx: ServerRequestContext[Any, Any], task_id: str) -> ExecutionRecord:
        caller = await self.resolve_caller(ctx)
        record = await ExecutionsView(self.app.host.executions, caller).find(task_id)
        if record is None:
            raise MCPError(types.INVALID_PARAMS, f"Unknown task: {task_id}")
        return record

    async def _get(self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams) -> dict[str, Any]:
        record = await self._record(ctx, params.task_id)
        task = _task(record)
        if task["status"] == "completed":
            task["result"] = self._final_result(record).model_dump(by_alias=True, mode="json", exclude_none=True)
        return task

    async def _cancel(self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams) -> dict[str, Any]:
        record = await self._record(ctx, params.task_id)
        await self.app.host.queue.cancel(record.id)  # cooperative: a run that already finished stays as it is
        return {}

    async def _update(self, ctx: ServerRequestContext[Any, Any], params: UpdateTaskParams) -> dict[str, Any]:
        await self._record(ctx, params.task_id)  # our tasks never ask for input: responses are ignored
        return {}

    def _final_result(self, record: ExecutionRecord) -> types.CallToolResult:
        """What the tools/call would have answered had it waited for the run."""
        failed = record.status not in (ExecutionStatus.COMPLETED, ExecutionStatus.COMPLETED_WITH_ERRORS)
        outcome = RunOutcome(record, value=record.result, message=record.error_message if failed else None)
        entry = self.app.registry.workflows.get(record.workflow_name)
        if entry is not None:
            return tool_result(entry, outcome)
        text, is_error = outcome_text(outcome)  # the workflow is gone since: its result without its schema
        return types.CallToolResult(
            content=[types.TextContent(text=text)], is_error=is_error, _meta={EXECUTION_META_KEY: record.id}
        )


def _task(record: ExecutionRecord) -> dict[str, Any]:
    """The Task for an execution (records are kept: no TTL)."""
    status = record.status
    if status in _WORKING:
        state, message = "working", _WORKING[status]
    elif status is ExecutionStatus.CANCELLED:
        state, message = "cancelled", record.error_message or "cancelled"
    else:  # a failed run is a tool result with isError, which the Tasks extension calls completed
        state, message = "completed", f"{status.value}."
    created = iso(record.started_at)
    return {
        "taskId": record.id,
        "status": state,
        "statusMessage": message,
        "createdAt": created,
        "lastUpdatedAt": iso(record.completed_at) or created,
        "ttlMs": None,
        "pollIntervalMs": POLL_INTERVAL_MS,
    }


__all__ = ["EXECUTION_RESOURCE_PREFIX", "TASKS_EXTENSION", "Tasks", "answers_later", "call_in_background"]
