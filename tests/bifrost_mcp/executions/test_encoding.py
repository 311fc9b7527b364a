"""Encoding one execution record as SQLite rows: running without input or logs, final with them, escaped."""

import json
from datetime import UTC, datetime

from bifrost.enums import ExecutionStatus
from bifrost_mcp.executions.encoding import encode
from bifrost_mcp.executions.owners import Owner
from bifrost_mcp.executions.records import ExecutionRecord


class NoText:
    def __str__(self) -> str:
        raise ValueError("nope")

    def __repr__(self) -> str:
        raise ValueError("nope either")


def test_a_running_record_is_encoded_without_logs_and_a_final_one_with_them() -> None:
    record = ExecutionRecord(
        id="e1",
        workflow_name="w",
        scope="GLOBAL",
        org_id=None,
        executed_by="u",
        executed_by_name="U",
        executed_by_email="u@example.com",
        status=ExecutionStatus.RUNNING,
        input_data={"k": "v"},
        started_at=datetime(2026, 1, 2, tzinfo=UTC),
        trigger="schedule",
    )
    record.add_log("INFO", "line \udcff", {"n": NoText()})
    running = encode(record, Owner(42, 7, "lease-1"), final=False)
    assert running.logs == [] and running.row[-4:] == (42, 7, "schedule", "lease-1")
    final = encode(record, Owner(42, 7, "lease-1"), final=True)
    [(execution_id, seq, level, message, metadata, _timestamp)] = final.logs
    assert (execution_id, seq, level, message) == ("e1", 1, "INFO", "line \\udcff")
    assert json.loads(metadata) == {"n": "[unencodable NoText]"}
    assert final.row[0] == "e1" and final.row[-4:] == (42, 7, "schedule", "lease-1")
