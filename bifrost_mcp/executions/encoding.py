"""One execution record as the rows SQLite stores, encoded on its own before it joins a group commit, and back.

Whatever a workflow put into its record that JSON or SQLite cannot take (a circular `extra=`, non-string keys,
an object whose `str()` raises, text with lone surrogates) is replaced by a marker here (`jsonsafe`), so one
odd record can never fail the transaction that carries other tenants' records.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bifrost.enums import ExecutionStatus
from bifrost_mcp.executions.jsonsafe import sqlite_text, to_json
from bifrost_mcp.executions.owners import Owner
from bifrost_mcp.executions.records import ExecutionRecord, LogEntry, iso

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class EncodedRecord:
    """An execution's row and (for a finished one) its log rows, ready for `executemany`."""

    id: str
    row: tuple[Any, ...]
    logs: list[tuple[Any, ...]]
    size: int  # characters of text, roughly the bytes the rows take


def encode(record: ExecutionRecord, owner: Owner, *, final: bool) -> EncodedRecord:
    """The record's row, and its input and log rows once it is final."""
    try:
        return _encode(record, owner, final=final)
    except Exception:  # last resort: a record that still cannot be encoded is stored as a failure saying so
        logger.exception("execution %s could not be encoded; stored as Failed without its details", record.id)
        fallback = ExecutionRecord(
            id=record.id,
            workflow_name=record.workflow_name,
            scope=record.scope,
            org_id=record.org_id,
            executed_by=record.executed_by,
            executed_by_name=record.executed_by_name,
            executed_by_email=record.executed_by_email,
            status=ExecutionStatus.FAILED,
            input_data={},
            started_at=record.started_at,
            error_message="the execution record could not be encoded; its input, result and logs were dropped",
            completed_at=record.completed_at,
            duration_ms=record.duration_ms,
            trigger=record.trigger,
        )
        return _encode(fallback, owner, final=True)


def _encode(record: ExecutionRecord, owner: Owner, *, final: bool) -> EncodedRecord:
    if not final:  # what is known of a run still running; the rest comes with its final row
        row: tuple[Any, ...] = (
            record.id, record.workflow_name, record.scope, record.org_id, record.executed_by,
            record.executed_by_name, record.executed_by_email, ExecutionStatus.RUNNING.value,
            # No input yet: a secret in it is only known once the run reads it; it is written, redacted, at the end.
            "{}",
            None, None, None, iso(record.started_at), None, None, None, None, 0, 0, record.session_id,
            owner.pid, owner.started, record.trigger, owner.id,
        )  # fmt: skip
        return _checked(EncodedRecord(record.id, row, [], 0))
    row = (
        record.id, record.workflow_name, record.scope, record.org_id, record.executed_by, record.executed_by_name,
        record.executed_by_email, record.status.value, to_json(record.input_data),
        _result_json(record), record.result_type, record.error_message,
        iso(record.started_at), iso(record.completed_at), record.duration_ms, record.peak_memory_bytes,
        record.cpu_total_seconds, record.input_tokens, record.output_tokens, record.session_id,
        owner.pid, owner.started, record.trigger, owner.id,
    )  # fmt: skip
    logs = [
        (record.id, e.seq, e.level, e.message, to_json(e.metadata) if e.metadata else None, e.timestamp)
        for e in record.logs
    ]
    return _checked(EncodedRecord(record.id, row, logs, 0))


def _checked(encoded: EncodedRecord) -> EncodedRecord:
    """`encoded` with its size, and every text SQLite can store (one pass over all of it in the common case)."""
    texts = [v for v in encoded.row if isinstance(v, str)]
    texts += [v for log in encoded.logs for v in log if isinstance(v, str)]
    joined = "\x00".join(texts)
    encoded.size = len(joined)
    if not joined.isascii():
        try:
            joined.encode("utf-8")
        except UnicodeEncodeError:
            encoded.row = tuple(sqlite_text(v) if isinstance(v, str) else v for v in encoded.row)
            encoded.logs = [tuple(sqlite_text(v) if isinstance(v, str) else v for v in log) for log in encoded.logs]
    return encoded


def _result_json(record: ExecutionRecord) -> str | None:
    if record.result is None:
        return None
    if record.result_json is not None and record.result_json[0] is record.result:  # measured against its cap
        return record.result_json[1]
    return to_json(record.result)


def record_from_row(row: sqlite3.Row) -> ExecutionRecord:
    return ExecutionRecord(
        id=row["id"],
        workflow_name=row["workflow_name"],
        scope=row["scope"],
        org_id=row["org_id"],
        executed_by=row["executed_by"],
        executed_by_name=row["executed_by_name"],
        executed_by_email=row["executed_by_email"],
        status=ExecutionStatus(row["status"]),
        input_data=json.loads(row["input_json"]),
        started_at=datetime.fromisoformat(row["started_at"]),
        result=json.loads(row["result_json"]) if row["result_json"] is not None else None,
        result_type=row["result_type"],
        error_message=row["error_message"],
        completed_at=datetime.fromisoformat(row["completed_at"]) if row["completed_at"] else None,
        duration_ms=row["duration_ms"],
        peak_memory_bytes=row["peak_memory_bytes"],
        cpu_total_seconds=row["cpu_total_seconds"],
        input_tokens=row["ai_input_tokens"],
        output_tokens=row["ai_output_tokens"],
        session_id=row["session_id"],
        trigger=row["trigger"],
    )


def log_from_row(row: sqlite3.Row) -> LogEntry:
    return LogEntry(
        seq=row["seq"],
        level=row["level"],
        message=row["message"],
        metadata=json.loads(row["metadata_json"]) if row["metadata_json"] else None,
        timestamp=row["timestamp"],
    )
