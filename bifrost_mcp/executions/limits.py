"""What one execution record may hold: log bytes and result size, per host (HostSettings, BIFROST_* variables).

A runaway workflow must not fill the disk, the server's memory or the client's context: log lines past the
cap are counted and dropped (the record ends saying so), and a result over its cap fails the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bifrost_mcp.executions.jsonsafe import to_json, utf8_size
from bifrost_mcp.settings import DEFAULT_LOG_BYTES, DEFAULT_RESULT_BYTES, LOG_BYTES_VARIABLE, RESULT_BYTES_VARIABLE


@dataclass(frozen=True, slots=True)
class RecordLimits:
    log_bytes: int = DEFAULT_LOG_BYTES  # message bytes (UTF-8) plus the JSON of extras, over all of a run's lines
    result_bytes: int = DEFAULT_RESULT_BYTES  # the result as JSON


DEFAULT_LIMITS = RecordLimits()


def entry_size(message: str, metadata: dict[str, Any] | None) -> int:
    return utf8_size(message) + (len(to_json(metadata)) if metadata else 0)


def dropped_note(entries: int, size: int, limits: RecordLimits) -> str:
    return (
        f"{entries:,} more log entries ({size:,} bytes) were dropped: an execution keeps at most "
        f"{limits.log_bytes:,} bytes of logs (set {LOG_BYTES_VARIABLE} to change it)"
    )


def result_too_large(workflow: str, size: int, limits: RecordLimits) -> str:
    return (
        f"{workflow!r} returned a result of {size:,} bytes of JSON, over the limit of {limits.result_bytes:,} bytes "
        f"per result (set {RESULT_BYTES_VARIABLE} to change it)"
    )
