"""Caps on the tables and table indexes of one scope, counted per scope, with errors that say how to get room."""

import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.tables import TablesView
from bifrost_mcp.data.tables.limits import TableLimits
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.storage.db import Database
from tests.support.callers import ORG_A, ORG_B, member

LIMITS = TableLimits(max_tables=3, max_indexes=5)


def view(db: Database, caller: Caller) -> TablesView:
    return TablesView(db, caller, LIMITS)


def indexed(count: int) -> dict[str, list[list[str]]]:
    return {"indexes": [[f"field_{n}"] for n in range(count)]}


def test_the_limits_come_from_the_host_settings(tmp_path: object) -> None:
    settings = HostSettings(data_dir=tmp_path, max_tables_per_scope=7, max_indexes_per_scope=9)  # type: ignore[arg-type]
    assert TableLimits.of(settings) == TableLimits(max_tables=7, max_indexes=9)
    assert TableLimits() == TableLimits(max_tables=1000, max_indexes=100)


async def test_a_scope_at_its_table_cap_is_refused_a_new_table_by_create_and_by_first_write(db: Database) -> None:
    tables = view(db, member(ORG_A))
    await tables.create("one", None, None, None, None)
    await tables.insert("two", {"n": 2}, None, None, None)
    await tables.upsert("three", "d", {"n": 3}, None, None)
    message = (
        "cannot create table 'four': scope 'org-a' already has 3 tables, the most allowed "
        "(BIFROST_MAX_TABLES_PER_SCOPE=3); delete tables it no longer needs, or ask the host's operator to "
        "raise BIFROST_MAX_TABLES_PER_SCOPE"
    )
    with pytest.raises(ValidationError) as created:
        await tables.create("four", None, None, None, None)
    with pytest.raises(ValidationError) as inserted:
        await tables.insert("four", {"n": 4}, None, None, None)
    with pytest.raises(ValidationError) as upserted:
        await tables.upsert("four", "d", {"n": 4}, None, None)
    assert str(created.value) == str(inserted.value) == str(upserted.value) == message
    assert [t.name for t in await tables.list(None, None)] == ["one", "three", "two"]

    await tables.insert("one", {"n": 1}, None, None, None)  # the tables it has still take writes
    assert await tables.delete("two", None, None)
    await tables.insert("four", {"n": 4}, None, None, None)
    assert await tables.count("four", None, None, None) == 1


async def test_a_scope_at_its_index_cap_is_refused_a_table_that_declares_more(db: Database) -> None:
    tables = view(db, member(ORG_A))
    await tables.create("wide", None, indexed(4), None, None)
    with pytest.raises(ValidationError) as refused:
        await tables.create("wider", None, indexed(2), None, None)
    assert str(refused.value) == (
        "cannot create table 'wider' with 2 indexes: scope 'org-a' already has 4 table indexes and may have at "
        "most 5 (BIFROST_MAX_INDEXES_PER_SCOPE); declare fewer indexes, delete tables it no longer needs, or ask "
        "the host's operator to raise BIFROST_MAX_INDEXES_PER_SCOPE"
    )
    assert [t.name for t in await tables.list(None, None)] == ["wide"]
    await tables.create("narrow", None, indexed(1), None, None)  # exactly at the cap
    with pytest.raises(ValidationError, match="already has 5 table indexes and may have at most 5"):
        await tables.create("one_more", None, indexed(1), None, None)

    assert await tables.delete("wide", None, None)  # its indexes go with it
    await tables.create("wider", None, indexed(2), None, None)


async def test_each_scope_counts_only_its_own_tables_and_indexes(db: Database) -> None:
    tables_a, tables_b = view(db, member(ORG_A)), view(db, member(ORG_B))
    await tables_a.create("wide", None, indexed(5), None, None)
    await tables_a.create("two", None, None, None, None)
    await tables_a.create("three", None, None, None, None)
    with pytest.raises(ValidationError, match="scope 'org-a' already has 3 tables"):
        await tables_a.create("four", None, None, None, None)

    await tables_b.create("wide", None, indexed(5), None, None)
    await tables_b.insert("two", {"n": 2}, None, None, None)
    await tables_b.insert("three", {"n": 3}, None, None, None)
    assert [t.name for t in await tables_b.list(None, None)] == ["three", "two", "wide"]
