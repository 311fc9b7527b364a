"""Tables' rows, their indexes, and row conversions (the schema is in schema.py, documents' SQL in stores.py).

Every statement that touches documents names the table by (scope, app, name) or by a table id found that
way, in the scope's own store, so a document id from another scope matches nothing.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime
from typing import Any

import aiosqlite

from bifrost.platform import GLOBAL_SCOPE
from bifrost.types import DocumentData, TableInfo
from bifrost_mcp.data.tables.codec import decode_document, now, parse_time
from bifrost_mcp.data.tables.indexes import create_index_sql, drop_index_sql, index_glob
from bifrost_mcp.data.tables.limits import TableLimits
from bifrost_mcp.data.tables.paths import table_literal
from bifrost_mcp.data.tables.stores import ensure_store, store_name

TableKey = tuple[str, str, str]  # (scope, app, name)

TABLE_COLUMNS = "id, name, description, table_schema, scope, app, created_at"
DOCUMENT_COLUMNS = "id, table_id, data, created_at, updated_at"
_TABLE_WHERE = "scope = ? AND app = ? AND name = ?"


def filtered_from(scope: str, table_id: str, condition_sql: str) -> str:
    """FROM/WHERE of a query over one table of `scope`.

    The table id is inlined (it is ours, and checked) so that SQLite can use the table's partial indexes,
    whose WHERE clause is the same `table_id = '<id>'` term. `likely()` tells the planner that this term
    keeps most rows: without statistics it would otherwise rate the (table_id, created_at) index as
    selective as a declared index and pick it to skip sorting, scanning the whole table.
    """
    store = store_name(scope)
    return f'FROM "{store}" WHERE likely(table_id = {table_literal(table_id)}) AND ({condition_sql})'


async def find_table(conn: aiosqlite.Connection, key: TableKey) -> sqlite3.Row | None:
    rows = list(await conn.execute_fetchall(f"SELECT {TABLE_COLUMNS} FROM data_tables WHERE {_TABLE_WHERE}", key))
    return rows[0] if rows else None


async def create_table(
    conn: aiosqlite.Connection,
    key: TableKey,
    description: str | None,
    schema_text: str | None,
    indexes: list[tuple[str, ...]],
    limits: TableLimits,
) -> sqlite3.Row:
    """Insert the table row and build its indexes, within the scope's limits, inside the caller's transaction."""
    table_id = uuid.uuid4().hex
    scope, app, name = key
    store = await ensure_store(conn, scope)
    await limits.check_room(conn, scope, store, name=name, indexes=len(indexes))
    _, stamp = now()
    await conn.execute(
        f"INSERT INTO data_tables ({TABLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (table_id, name, description, schema_text, scope, app, stamp),
    )
    for position, fields in enumerate(indexes):
        await conn.execute(create_index_sql(store, table_id, position, fields))
    row = await find_table(conn, key)
    assert row is not None  # written just above, in this transaction
    return row


async def drop_table(conn: aiosqlite.Connection, scope: str, table_id: str) -> None:
    """Drop the table's indexes, documents and row, inside the caller's transaction."""
    store = store_name(scope)
    names = await conn.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name GLOB ?",
        (store, index_glob(table_id)),
    )
    for (name,) in names:
        await conn.execute(drop_index_sql(name))
    await conn.execute(f'DELETE FROM "{store}" WHERE table_id = ?', (table_id,))
    await conn.execute("DELETE FROM data_tables WHERE id = ?", (table_id,))


def table_info(row: sqlite3.Row) -> TableInfo:
    return TableInfo(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        table_schema=None if row["table_schema"] is None else json.loads(row["table_schema"]),
        organization_id=None if row["scope"] == GLOBAL_SCOPE else row["scope"],
        application_id=row["app"] or None,
        created_at=parse_time(row["created_at"]),
    )


def document(row: sqlite3.Row) -> DocumentData:
    return new_document(
        row["id"],
        row["table_id"],
        decode_document(row["data"]),
        parse_time(row["created_at"]),
        parse_time(row["updated_at"]),
    )


def new_document(
    doc_id: str, table_id: str, data: dict[str, Any], created_at: datetime, updated_at: datetime
) -> DocumentData:
    # Every value is built here with its declared type, so pydantic's validation pass is skipped (hot path).
    return DocumentData.model_construct(
        id=doc_id, table_id=table_id, data=data, created_at=created_at, updated_at=updated_at
    )
