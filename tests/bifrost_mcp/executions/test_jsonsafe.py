"""JSON and SQLite text for what a workflow hands the host: what they cannot carry is marked, never raised."""

import json
from datetime import UTC, datetime
from typing import Any

from bifrost_mcp.executions.jsonsafe import CIRCULAR, TOO_DEEP, jsonable, sqlite_text, to_json, utf8_size


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


def test_utf8_size_counts_bytes() -> None:
    assert (utf8_size("abc"), utf8_size("é"), utf8_size("\ud800")) == (3, 2, 6)
