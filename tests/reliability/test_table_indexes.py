"""Issue 14, finding 7: one organization's table indexes slowed every organization's writes 56x.

SQLite maintains (or, for a partial index, tests the WHERE clause of) every index of the table it writes
to, so what another scope's indexes cost a write here shows in the write's program, without timing it:
the indexes of the SQLite table that holds this scope's documents, and the VDBE opcodes of an upsert into
it. The speed itself is measured side by side in bench/tables.py (--other-indexes).
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from bifrost import tables, workflow
from bifrost.types import DocumentData
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.tables import MIGRATIONS, TablesView
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.storage.db import Database
from bifrost_mcp.workspace.loader import registry_from_functions
from tests.support.callers import ORG_A, ORG_B, member
from tests.support.mcp import server_for

INDEXES_PER_TABLE = 16  # the most one table may declare


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path)
    await database.open(MIGRATIONS)
    yield database
    await database.close()


async def storage_of(db: Database, doc: DocumentData) -> str:
    """The name of the SQLite table holding `doc`, found by looking in every table that could."""
    tables = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    holders = []
    for (name,) in tables:
        columns = {row["name"] for row in await db.fetchall(f'PRAGMA table_info("{name}")')}
        if {"table_id", "id", "data"} <= columns:
            found = await db.fetchall(f'SELECT 1 FROM "{name}" WHERE table_id = ? AND id = ?', (doc.table_id, doc.id))
            holders += [name] if found else []
    assert len(holders) == 1, holders
    return holders[0]


async def write_cost(db: Database, doc: DocumentData) -> tuple[list[str], int]:
    """The indexes a write of `doc`'s table must maintain, and the opcode count of an upsert there."""
    storage = await storage_of(db, doc)
    indexes = sorted(row["name"] for row in await db.fetchall(f'PRAGMA index_list("{storage}")'))
    program = await db.fetchall(
        f'EXPLAIN INSERT INTO "{storage}" (table_id, id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?) '
        "ON CONFLICT (table_id, id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        (doc.table_id, doc.id, "{}", "now", "now"),
    )
    return indexes, len(program)


async def test_another_organizations_indexes_add_no_work_to_a_write_here(db: Database) -> None:
    tables_a, tables_b = TablesView(db, member(ORG_A)), TablesView(db, member(ORG_B))
    doc = await tables_b.upsert("orders", "o-1", {"status": "open"}, None, None)
    before = await write_cost(db, doc)

    for n in range(6):
        schema = {"indexes": [[f"field_{k}"] for k in range(INDEXES_PER_TABLE)]}
        await tables_a.create(f"wide_{n}", None, schema, None, None)
    await tables_a.upsert("wide_0", "w-1", {"field_0": 1}, None, None)

    assert await write_cost(db, doc) == before
    again = await tables_b.upsert("orders", "o-1", {"status": "paid"}, None, None)
    assert (again.table_id, again.data) == (doc.table_id, {"status": "paid"})


@workflow(is_tool=True)
async def make_wide_tables(count: int) -> list[str]:
    """Create `count` tables of 16 indexes each, as the attack did."""
    for n in range(count):
        await tables.create(f"wide_{n}", table_schema={"indexes": [[f"f{k}"] for k in range(INDEXES_PER_TABLE)]})
    return [t.name for t in await tables.list()]


@workflow(is_tool=True)
async def record_order(order_id: str) -> str:
    """Upsert one order."""
    return (await tables.upsert("orders", order_id, {"status": "open"})).id


async def call(app: App, caller: Caller, tool: str, arguments: dict[str, Any]) -> Any:
    async with Client(server_for(app, caller).server) as client:
        return await client.call_tool(tool, arguments)


async def test_a_workflow_piling_up_indexes_is_stopped_at_its_scopes_cap_and_told_which(tmp_path: Path) -> None:
    settings = HostSettings(data_dir=tmp_path, max_indexes_per_scope=40)
    registry = registry_from_functions([make_wide_tables, record_order])
    async with App.opened(settings, registry) as app:
        attacker, other = member(ORG_A), member(ORG_B)
        refused = await call(app, attacker, "make_wide_tables", {"count": 110})  # 1,760 indexes were asked
        assert refused.is_error
        assert (
            "cannot create table 'wide_2' with 16 indexes: scope 'org-a' already has 32 table indexes and may have "
            "at most 40 (BIFROST_MAX_INDEXES_PER_SCOPE)"
        ) in refused.content[0].text
        listed = await TablesView(app.host.db, attacker).list(None, None)
        assert [t.name for t in listed] == ["wide_0", "wide_1"]

        done = await call(app, other, "record_order", {"order_id": "o-1"})
        assert (done.is_error, done.structured_content) == (False, {"result": "o-1"})
