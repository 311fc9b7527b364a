"""The in-memory form of one execution record and its log entries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from bifrost.enums import ExecutionStatus
from bifrost.types import ExecutionLog, WorkflowExecution
from bifrost_mcp.executions.jsonsafe import to_json
from bifrost_mcp.executions.limits import DEFAULT_LIMITS, RecordLimits, dropped_note, entry_size, result_too_large

# What started a run: an MCP tools/call or resource read, `bifrost-mcp run`, an agent's tool step in a chat, a
# schedule, an HTTP endpoint. None: a record written before triggers were recorded.
Trigger = Literal["mcp", "cli", "agent", "schedule", "endpoint"]

MAX_LOG_ENTRIES = 10_000
MAX_LOG_MESSAGE = 64 * 1024


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is not UTC:  # the host's own times are UTC already (utc_now): no conversion to pay for
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


@dataclass(slots=True)
class LogEntry:
    seq: int
    level: str
    message: str
    metadata: dict[str, Any] | None
    timestamp: str

    def public(self, execution_id: str) -> ExecutionLog:
        return ExecutionLog(
            id=str(self.seq),
            execution_id=execution_id,
            level=self.level,
            message=self.message,
            metadata=self.metadata,
            timestamp=self.timestamp,
        )


@dataclass(slots=True)
class ExecutionRecord:
    id: str
    workflow_name: str
    scope: str
    org_id: str | None
    executed_by: str
    executed_by_name: str
    executed_by_email: str
    status: ExecutionStatus
    input_data: dict[str, Any]
    started_at: datetime
    result: Any = None
    result_type: str | None = None
    error_message: str | None = None
    completed_at: datetime | None = None
    duration_ms: int | None = None
    peak_memory_bytes: int | None = None
    cpu_total_seconds: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    session_id: str | None = None
    trigger: Trigger | None = None
    logs: list[LogEntry] = field(default_factory=list)
    dropped_logs: int = 0
    limits: RecordLimits = DEFAULT_LIMITS  # the store's, from the host's settings
    log_bytes: int = 0
    dropped_log_bytes: int = 0
    capped_by_bytes: bool = False
    result_json: tuple[Any, str] | None = None  # (the result, its JSON) once measured, so it is encoded once

    def add_log(self, level: str, message: str, metadata: dict[str, Any] | None = None) -> None:
        """Append to the ordered log stream, bounded so a runaway workflow cannot exhaust memory or disk.

        Once a line is dropped every later one is too: a stream with a gap in the middle would read as complete.
        """
        if len(message) > MAX_LOG_MESSAGE:
            message = message[:MAX_LOG_MESSAGE] + f"... [truncated {len(message) - MAX_LOG_MESSAGE} chars]"
        size = entry_size(message, metadata)
        if (
            not self.dropped_logs
            and len(self.logs) < MAX_LOG_ENTRIES
            and self.log_bytes + size <= self.limits.log_bytes
        ):
            self.log_bytes += size
            self.logs.append(LogEntry(len(self.logs) + 1, level, message, metadata, iso(utc_now()) or ""))
            return
        if not self.dropped_logs:
            self.capped_by_bytes = len(self.logs) < MAX_LOG_ENTRIES
        self.dropped_logs += 1
        self.dropped_log_bytes += size

    def keep_result(self, value: Any) -> str | None:
        """Keep `value` as the result, or None and why not when its JSON is over the limit."""
        self.result, self.result_json = None, None
        if value is None:
            return None
        text = to_json(value)  # ASCII: its length is its size in bytes
        if len(text) > self.limits.result_bytes:
            return result_too_large(self.workflow_name, len(text), self.limits)
        self.result, self.result_json = value, (value, text)
        return None

    def seal_logs(self, redact: Callable[[Any], Any] | None = None) -> None:
        """Close the log stream: every line redacted by `redact`, and a note if lines were dropped.

        Lines are redacted as they are captured against the secrets read so far; a line logged before the run
        read a secret in it is redacted here, before the stream is ever written anywhere.
        """
        if redact is not None:
            for entry in self.logs:
                entry.message = redact(entry.message)
                if entry.metadata:
                    entry.metadata = redact(entry.metadata)
        if self.dropped_logs:
            if self.capped_by_bytes:
                note = dropped_note(self.dropped_logs, self.dropped_log_bytes, self.limits)
            else:
                note = (
                    f"{self.dropped_logs} more log entries were dropped: an execution keeps at most {MAX_LOG_ENTRIES}"
                )
            self.logs.append(LogEntry(len(self.logs) + 1, "WARNING", note, None, iso(utc_now()) or ""))
            self.dropped_logs = 0

    def public(self, *, with_logs: bool = False) -> WorkflowExecution:
        return WorkflowExecution(
            execution_id=self.id,
            workflow_name=self.workflow_name,
            org_id=self.org_id,
            executed_by=self.executed_by,
            executed_by_name=self.executed_by_name,
            status=self.status.value,
            input_data=self.input_data,
            result=self.result,
            result_type=self.result_type,
            error_message=self.error_message,
            duration_ms=self.duration_ms,
            started_at=self.started_at,
            completed_at=self.completed_at,
            logs=[_log_dict(e) for e in self.logs] if with_logs else None,
            session_id=self.session_id,
            trigger=self.trigger,
            peak_memory_bytes=self.peak_memory_bytes,
            cpu_total_seconds=self.cpu_total_seconds,
            variables={"ai_input_tokens": self.input_tokens, "ai_output_tokens": self.output_tokens}
            if self.input_tokens or self.output_tokens
            else None,
        )


def _log_dict(entry: LogEntry) -> dict[str, Any]:
    return {
        "id": str(entry.seq),
        "level": entry.level,
        "message": entry.message,
        "metadata": entry.metadata,
        "timestamp": entry.timestamp,
    }
