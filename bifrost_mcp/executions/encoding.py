"""One execution record as the rows SQLite stores, encoded on its own before it joins a group commit.

Whatever a workflow put into its record that JSON or SQLite cannot take (a circular `extra=`, non-string keys,
an object whose `str()` raises, text with lone surrogates) is replaced by a marker here, so one odd record can
never fail the transaction that carries other tenants' records.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from bifrost.enums import ExecutionStatus
from bifrost_mcp.executions.owners import Owner
from bifrost_mcp.executions.records import ExecutionRecord, iso

logger = logging.getLogger(__name__)

CIRCULAR = "[circular reference]"
TOO_DEEP = "[nested too deeply]"
MAX_DEPTH = 64
_MAX_REPR = 200
_SCALARS = (str, int, float, bool, type(None))


@dataclass(slots=True)
class EncodedRecord:
    """An execution's row and (for a finished one) its log rows, ready for `executemany`."""

    id: str
    row: tuple[Any, ...]
    logs: list[tuple[Any, ...]]
    size: int  # characters of text, roughly the bytes the rows take


def sqlite_text(value: str) -> str:
    """`value` as text SQLite can store: lone surrogates (which UTF-8 cannot carry) as backslash escapes."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def unencodable(value: object) -> str:
    try:
        shown = repr(value)
    except Exception:  # a repr that raises still leaves the type to go by
        return f"[unencodable {type(value).__name__}]"
    if len(shown) > _MAX_REPR:
        shown = shown[:_MAX_REPR] + "..."
    return f"[unencodable {type(value).__name__}: {sqlite_text(shown)}]"


def jsonable(value: Any, *, _active: set[int] | None = None, _depth: int = 0) -> Any:
    """`value` with only what JSON can carry: other objects as their `str()` (as `default=str` did), else marked."""
    if isinstance(value, _SCALARS):
        return value
    if _depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict | list | tuple):
        active = _active if _active is not None else set()
        if id(value) in active:
            return CIRCULAR
        active.add(id(value))
        try:
            if isinstance(value, dict):
                return {_key(k): jsonable(v, _active=active, _depth=_depth + 1) for k, v in value.items()}
            return [jsonable(v, _active=active, _depth=_depth + 1) for v in value]
        finally:
            active.discard(id(value))
    try:
        return str(value)
    except Exception:
        return unencodable(value)


def _key(key: Any) -> str | int | float | bool | None:
    if isinstance(key, _SCALARS):
        return key
    try:
        return str(key)
    except Exception:
        return unencodable(key)


def to_json(value: Any) -> str:
    """JSON text for a column. The plain encoder first (nearly every value); the careful walk when it refuses."""
    try:
        return json.dumps(value, default=str)
    except Exception:
        return json.dumps(jsonable(value), default=unencodable)


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
            owner.pid, owner.started,
        )  # fmt: skip
        return _checked(EncodedRecord(record.id, row, [], 0))
    row = (
        record.id, record.workflow_name, record.scope, record.org_id, record.executed_by, record.executed_by_name,
        record.executed_by_email, record.status.value, to_json(record.input_data),
        None if record.result is None else to_json(record.result), record.result_type, record.error_message,
        iso(record.started_at), iso(record.completed_at), record.duration_ms, record.peak_memory_bytes,
        record.cpu_total_seconds, record.input_tokens, record.output_tokens, record.session_id,
        owner.pid, owner.started,
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
