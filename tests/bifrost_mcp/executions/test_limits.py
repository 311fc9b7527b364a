"""Record limits: the log byte budget, the result cap, and the settings that set them."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bifrost.enums import ExecutionStatus
from bifrost.errors import ConfigurationError
from bifrost_mcp.executions.limits import RecordLimits
from bifrost_mcp.executions.records import ExecutionRecord
from bifrost_mcp.settings import HostSettings


def record(limits: RecordLimits) -> ExecutionRecord:
    return ExecutionRecord(
        id="e1", workflow_name="w", scope="GLOBAL", org_id=None, executed_by="u", executed_by_name="U",
        executed_by_email="u@example.com", status=ExecutionStatus.RUNNING, input_data={},
        started_at=datetime(2026, 1, 2, tzinfo=UTC), limits=limits,
    )  # fmt: skip


def test_extras_count_toward_the_log_budget_and_a_dropped_line_drops_the_rest() -> None:
    kept = record(RecordLimits(log_bytes=30))
    kept.add_log("INFO", "éé", {"k": "v"})  # 4 bytes of text, 10 of JSON
    kept.add_log("INFO", "x" * 20)  # 34 > 30: dropped
    kept.add_log("INFO", "y")  # would fit, but follows a gap
    kept.seal_logs()
    assert [e.message for e in kept.logs] == [
        "éé",
        "2 more log entries (21 bytes) were dropped: an execution keeps at most 30 bytes of logs "
        "(set BIFROST_MAX_LOG_BYTES to change it)",
    ]


def test_a_result_is_kept_with_its_json_or_refused_over_the_cap() -> None:
    small = record(RecordLimits(result_bytes=8))
    assert small.keep_result({"a": 1}) is None
    assert (small.result, small.result_json) == ({"a": 1}, ({"a": 1}, '{"a": 1}'))
    assert small.keep_result({"a": 10}) == (
        "'w' returned a result of 9 bytes of JSON, over the limit of 8 bytes per result "
        "(set BIFROST_MAX_RESULT_BYTES to change it)"
    )
    assert (small.result, small.result_json) == (None, None)


def test_the_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BIFROST_MAX_LOG_BYTES", "1000")
    monkeypatch.setenv("BIFROST_MAX_RESULT_BYTES", "2000")
    settings = HostSettings.from_env(data_dir=tmp_path)
    assert (settings.max_log_bytes, settings.max_result_bytes) == (1000, 2000)
    monkeypatch.setenv("BIFROST_MAX_RESULT_BYTES", "lots")
    with pytest.raises(ConfigurationError, match="BIFROST_MAX_RESULT_BYTES must be a whole number of bytes"):
        HostSettings.from_env(data_dir=tmp_path)
