"""Encoding one execution record for SQLite: what JSON or UTF-8 cannot carry is marked, never raised."""

import json
from datetime import UTC, datetime
from typing import Any

from bifrost.enums import ExecutionStatus
from bifrost_mcp.executions.encoding import CIRCULAR, TOO_DEEP, encode, jsonable, sqlite_text, to_json
from bifrost_mcp.executions.owners import Owner
from bifrost_mcp.executions.records import ExecutionRecord


class NoText:
    def __str__(self) -> str:
        raise ValueError("nope")

    def __repr__(self) -> str:
        raise ValueError("nope either")


def test_plain_values_go_through_unchanged_and_other_objects_as_their_text() -> None:
    moment = datetime(2026, 1, 2, tzinfo=UTC)
    assert to_json({"a": [1, 2.5, None, True], "b": "x"}) == '{"a": [1, 2.5, null, true], "b": "x"}'
    assert json.loads(to_json({"when": moment})) == {"when": "2026-01-02 00:00:00+00:00"}


def test_cycles_odd_keys_unprintable_objects_and_deep_nesting_are_marked() -> None:
    cycle: list[Any] = [1]
    cycle.append(cycle)
    deep: list[Any] = []
    node = deep
    for _ in range(100):
        node.append([])
        node = node[0]
    value = {"cycle": cycle, "pairs": {(1, 2): "a"}, "obj": NoText(), "deep": deep}
    encoded = json.loads(to_json(value))
    assert encoded["cycle"] == [1, CIRCULAR]
    assert encoded["pairs"] == {"(1, 2)": "a"}
    assert encoded["obj"] == "[unencodable NoText]"
    assert TOO_DEEP in json.dumps(encoded["deep"])
    shared = [1]
    assert jsonable({"a": shared, "b": shared}) == {"a": [1], "b": [1]}  # shared, not circular


def test_text_sqlite_cannot_store_is_escaped() -> None:
    assert sqlite_text("plain") == "plain"
    assert sqlite_text("café") == "café"
    assert sqlite_text("half \ud800 pair") == "half \\ud800 pair"


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
    )
    record.add_log("INFO", "line \udcff", {"n": NoText()})
    assert encode(record, Owner(42, 7), final=False).logs == []
    final = encode(record, Owner(42, 7), final=True)
    [(execution_id, seq, level, message, metadata, _timestamp)] = final.logs
    assert (execution_id, seq, level, message) == ("e1", 1, "INFO", "line \\udcff")
    assert json.loads(metadata) == {"n": "[unencodable NoText]"}
    assert final.row[0] == "e1" and final.row[-2:] == (42, 7)
