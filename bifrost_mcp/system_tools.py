"""Tools bifrost-mcp publishes itself.

They are written with the SDK like any workflow, so they run through the same runner, gate and execution
record as the workspace's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import Field

from bifrost import UserError, executions, knowledge, workflow, workflows
from bifrost.errors import AccessDenied, NotFoundError
from bifrost_mcp.executions.report import execution_report

SYSTEM_SOURCE = "bifrost-mcp (system)"


@workflow(name="search_knowledge", is_tool=True, category="System", tags=["knowledge"])
async def search_knowledge(
    query: str,
    namespace: str | None = None,
    limit: Annotated[int, Field(ge=1, le=50)] = 5,
) -> dict[str, Any]:
    """Search your organization's knowledge base (and shared GLOBAL documents) by meaning.

    Returns the best passages, one per document, each with its key, namespace and score (cosine similarity,
    higher is better). Quote the key when you use a passage.

    Args:
        query: What to look for, in plain words.
        namespace: One namespace to search; every namespace you can read when omitted.
        limit: How many passages to return.
    """
    names = [info.name for info in await knowledge.list_namespaces()] if namespace is None else [namespace]
    if not names:
        return {"passages": [], "note": "the knowledge base is empty: nothing has been stored yet"}
    documents = await knowledge.search(query, names, limit=limit)
    return {
        "passages": [
            {
                "key": doc.key if doc.key is not None else doc.id,
                "namespace": doc.namespace,
                "score": round(doc.score, 4) if doc.score is not None else None,
                "shared": doc.organization_id is None,
                "content": doc.content,
            }
            for doc in documents
        ]
    }


@workflow(name="list_workflows", is_tool=True, category="System", tags=["admin"], admin_only=True)
async def list_workflows() -> dict[str, Any]:
    """List every workflow of the workspace with its category, schedule and who may run it (platform admins)."""
    return {
        "workflows": [
            {
                "name": w.name,
                "description": w.description,
                "category": w.category,
                "is_tool": w.is_tool,
                "schedule": w.schedule,
            }
            for w in await workflows.list()
        ]
    }


@workflow(name="list_executions", is_tool=True, category="System", tags=["admin"], admin_only=True)
async def list_executions(
    workflow_name: str | None = None,
    status: str | None = None,
    failed_first: bool = False,
    limit: Annotated[int, Field(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """List recent executions, newest first (platform admins see every run of the scope they act in).

    Args:
        workflow_name: Only runs of this workflow.
        status: Only runs with this status (Completed, Failed, Timeout, Cancelled, ...).
        failed_first: Put failed, timed-out and cancelled runs before the others.
        limit: How many runs to return.
    """
    found = await executions.list(workflow_name=workflow_name, status=status, limit=limit)
    if failed_first:  # a stable sort: newest first within each group
        found = sorted(found, key=lambda e: e.status not in _FAILED)
    return {
        "executions": [
            {
                "execution_id": e.execution_id,
                "workflow": e.workflow_name,
                "status": e.status,
                "executed_by": e.executed_by_name,
                "started_at": e.started_at,
                "duration_ms": e.duration_ms,
                "error": e.error_message,
            }
            for e in found
        ]
    }


@workflow(name="read_execution", is_tool=True, category="System", tags=["admin"], admin_only=True)
async def read_execution(execution_id: str, logs: Annotated[int, Field(ge=1, le=500)] = 50) -> dict[str, Any]:
    """Read one execution: its input, result or error, and its first log lines (platform admins).

    Args:
        execution_id: The execution to read.
        logs: How many log lines to include.
    """
    record = await executions.get(execution_id)
    lines = await executions.get_current_logs(execution_id, count=logs)
    return {
        "execution": record.model_dump(mode="json"),
        "logs": [{"level": line.level, "message": line.message} for line in lines],
    }


@workflow(name="get_execution", is_tool=True, category="System", tags=["executions"])
async def get_execution(execution_id: str, logs: Annotated[int, Field(ge=0, le=1000)] = 100) -> dict[str, Any]:
    """Read one of your executions: its status and, once it has finished, its result or error and its logs.

    A tool that runs in the background answers at once with an execution_id and status "Pending": call this
    with that id (not more than every few seconds) until `finished` is true.

    Args:
        execution_id: The execution to read, as a tool's answer gave it.
        logs: How many of its log lines to include.
    """
    try:
        execution = await executions.get(execution_id)
    except (NotFoundError, AccessDenied):  # someone else's execution answers exactly like an unknown id
        raise UserError(f"no execution {execution_id!r}: check the id a tool answered with") from None
    return execution_report(execution, logs=logs)


_FAILED = frozenset({"Failed", "Timeout", "Cancelled", "CompletedWithErrors"})


def system_workflows() -> list[Callable[..., Any]]:
    return [search_knowledge, get_execution, list_workflows, list_executions, read_execution]
