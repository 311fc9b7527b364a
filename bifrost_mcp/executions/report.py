"""One execution as its caller reads it back (get_execution, bifrost://executions/{id}): status, outcome, logs."""

from __future__ import annotations

from typing import Any

from bifrost.types import WorkflowExecution

UNFINISHED = frozenset({"Pending", "Running"})


def execution_report(execution: WorkflowExecution, *, logs: int = 100) -> dict[str, Any]:
    """Its status; its result or error once finished; its first `logs` log lines, and how many more there are."""
    lines = execution.logs or []
    report: dict[str, Any] = {
        "execution_id": execution.execution_id,
        "workflow": execution.workflow_name,
        "status": execution.status,
        "finished": execution.status not in UNFINISHED,
        "result": execution.result,
        "error": execution.error_message,
        "started_at": execution.started_at.isoformat() if execution.started_at else None,
        "completed_at": execution.completed_at.isoformat() if execution.completed_at else None,
        "duration_ms": execution.duration_ms,
        "logs": [
            {"id": line.get("id"), "level": line.get("level"), "message": line.get("message")} for line in lines[:logs]
        ],
    }
    if len(lines) > logs:
        report["more_logs"] = len(lines) - logs
    if not report["finished"]:
        report["note"] = "Not finished yet: read it again in a little while for its result."
    return report


__all__ = ["execution_report"]
