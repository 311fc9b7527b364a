"""TablesView: the SDK's `tables` port over SQLite, for one caller.

Decisions the spec leaves open:

- Scope comes from the gate only: access.resolve_scope for reads, access.writable_scope for writes (GLOBAL
  is written by platform admins and keys granted it). GLOBAL is a scope of its own: the spec gives tables no
  GLOBAL read fallback, so an organization never sees GLOBAL tables (nor the reverse).
- `app=None` addresses the organization's own tables (app ""), not the union with its apps' tables.
- insert and upsert create a missing table (no schema); get/update/delete_document/query/count on a
  table that was never created behave as on an empty table (None, None, False, no documents, 0).
- create on an existing name, and insert with an existing id, are ValidationErrors saying what to use.
- update merges top-level keys (`{**old, **new}`; a None value stores null, it does not remove the key);
  upsert replaces the whole data.
"""

from __future__ import annotations

import builtins
import logging
import sqlite3
import uuid
import weakref
from typing import Any

import aiosqlite

from bifrost.errors import ValidationError
from bifrost.types import DocumentData, DocumentList, TableInfo
from bifrost_mcp.access import resolve_scope, writable_scope
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.tables import store
from bifrost_mcp.data.tables.codec import (
    MAX_ID_LENGTH,
    check_name,
    decode_document,
    encode_document,
    encode_json,
    now,
    parse_time,
)
from bifrost_mcp.data.tables.indexes import parse_indexes
from bifrost_mcp.data.tables.limits import TableLimits
from bifrost_mcp.data.tables.query import CASEFOLD_FUNCTION, Condition, compile_order, compile_where
from bifrost_mcp.data.tables.stores import ensure_store, is_missing_store, statements
from bifrost_mcp.storage.db import Database

logger = logging.getLogger(__name__)

_casefold_ready: weakref.WeakSet[aiosqlite.Connection] = weakref.WeakSet()


class TablesView:
    def __init__(self, db: Database, caller: Caller, limits: TableLimits | None = None) -> None:
        self._db = db
        self._caller = caller
        self._limits = limits or TableLimits()

    def _namespace(self, scope: str | None, app: str | None, *, write: bool = False) -> tuple[str, str]:
        scope_key = writable_scope(self._caller, scope) if write else resolve_scope(self._caller, scope)
        if app is None:
            return scope_key, ""
        return scope_key, check_name(app, "app")

    # Tables

    async def create(
        self,
        name: str,
        description: str | None,
        table_schema: dict[str, Any] | None,
        scope: str | None,
        app: str | None,
    ) -> TableInfo:
        key = (*self._namespace(scope, app, write=True), check_name(name, "table name"))
        if description is not None and not isinstance(description, str):
            raise ValidationError(f"description must be a string or None, got {type(description).__name__}")
        if table_schema is not None and not isinstance(table_schema, dict):
            raise ValidationError(f"table_schema must be a dict or None, got {type(table_schema).__name__}")
        indexes = parse_indexes(table_schema)
        schema_text = None if table_schema is None else encode_json(table_schema, "table_schema")
        async with self._db.transaction() as conn:
            if await store.find_table(conn, key) is not None:
                raise ValidationError(
                    f"table {name!r} already exists in this scope; use it as it is, or tables.delete it first"
                )
            row = await store.create_table(conn, key, description, schema_text, indexes, self._limits)
        logger.info("created table %s (%s) in scope %s", name, row["id"], key[0])
        return store.table_info(row)

    async def list(self, scope: str | None, app: str | None) -> builtins.list[TableInfo]:
        scope_key, app_key = self._namespace(scope, app)
        rows = await self._db.fetchall(
            f"SELECT {store.TABLE_COLUMNS} FROM data_tables WHERE scope = ? AND app = ? ORDER BY name",
            (scope_key, app_key),
        )
        return [store.table_info(row) for row in rows]

    async def delete(self, name: str, scope: str | None, app: str | None) -> bool:
        key = (*self._namespace(scope, app, write=True), check_name(name, "table name"))
        async with self._db.transaction() as conn:
            row = await store.find_table(conn, key)
            if row is None:
                return False
            await store.drop_table(conn, key[0], row["id"])
        logger.info("deleted table %s (%s) in scope %s", name, row["id"], key[0])
        return True

    # Documents

    async def insert(
        self, table: str, data: dict[str, Any], id: str | None, scope: str | None, app: str | None
    ) -> DocumentData:
        key = (*self._namespace(scope, app, write=True), check_name(table, "table"))
        doc_id = str(uuid.uuid4()) if id is None else check_name(id, "document id", MAX_ID_LENGTH)
        text, stored = encode_document(data)
        moment, stamp = now()
        try:
            table_id, _ = await self._write(statements(key[0]).insert, key, (doc_id, text, stamp, stamp))
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" not in str(exc):
                raise
            raise ValidationError(
                f"document {doc_id!r} already exists in table {table!r}; use upsert to replace it or update to merge"
            ) from None
        return store.new_document(doc_id, table_id, stored, moment, moment)

    async def upsert(
        self, table: str, id: str, data: dict[str, Any], scope: str | None, app: str | None
    ) -> DocumentData:
        key = (*self._namespace(scope, app, write=True), check_name(table, "table"))
        doc_id = check_name(id, "document id", MAX_ID_LENGTH)
        text, stored = encode_document(data)
        moment, stamp = now()
        table_id, created = await self._write(statements(key[0]).upsert, key, (doc_id, text, stamp, stamp))
        return store.new_document(doc_id, table_id, stored, parse_time(created), moment)

    async def _write(self, sql: str, key: tuple[str, str, str], values: tuple[str, ...]) -> tuple[str, str]:
        """Run an INSERT ... SELECT over the table row, creating the table (and store) first when missing."""
        params = (*values, *key)
        try:
            rows = await self._db.write(sql, params)  # the common case: the table exists, one statement
        except sqlite3.OperationalError as exc:
            if not is_missing_store(exc):
                raise
            rows = []
        if rows:
            return rows[0][0], rows[0][1]
        async with self._db.transaction() as conn:
            await ensure_store(conn, key[0])
            rows = list(await conn.execute_fetchall(sql, params))
            if not rows:
                await store.create_table(conn, key, None, None, [], self._limits)
                logger.info("created table %s on first write in scope %s", key[2], key[0])
                rows = list(await conn.execute_fetchall(sql, params))
        return rows[0][0], rows[0][1]

    async def get(self, table: str, doc_id: str, scope: str | None, app: str | None) -> DocumentData | None:
        key = (*self._namespace(scope, app), check_name(table, "table"))
        params = (*key, check_name(doc_id, "document id", MAX_ID_LENGTH))
        try:
            rows = await self._db.fetchall(statements(key[0]).get, params)
        except sqlite3.OperationalError as exc:
            if not is_missing_store(exc):
                raise
            return None  # the scope never had a table
        return store.document(rows[0]) if rows else None

    async def update(
        self, table: str, doc_id: str, data: dict[str, Any], scope: str | None, app: str | None
    ) -> DocumentData | None:
        key = (*self._namespace(scope, app, write=True), check_name(table, "table"))
        doc_id = check_name(doc_id, "document id", MAX_ID_LENGTH)
        _, changes = encode_document(data)
        moment, stamp = now()
        sql = statements(key[0])
        try:
            async with self._db.transaction() as conn:
                rows = list(await conn.execute_fetchall(sql.get, (*key, doc_id)))
                if not rows:
                    return None
                current = rows[0]
                merged = {**decode_document(current["data"]), **changes}
                text, _ = encode_document(merged)
                await conn.execute(sql.update, (text, stamp, current["table_id"], doc_id))
        except sqlite3.OperationalError as exc:
            if not is_missing_store(exc):
                raise
            return None  # the scope never had a table
        return store.new_document(doc_id, current["table_id"], merged, parse_time(current["created_at"]), moment)

    async def delete_document(self, table: str, doc_id: str, scope: str | None, app: str | None) -> bool:
        key = (*self._namespace(scope, app, write=True), check_name(table, "table"))
        params = (check_name(doc_id, "document id", MAX_ID_LENGTH), *key)
        try:
            return await self._db.execute(statements(key[0]).delete, params) > 0
        except sqlite3.OperationalError as exc:
            if not is_missing_store(exc):
                raise
            return False  # the scope never had a table

    # Queries

    async def query(
        self,
        table: str,
        where: dict[str, Any] | None,
        order_by: str | None,
        order_dir: str,
        limit: int,
        offset: int,
        scope: str | None,
        app: str | None,
    ) -> DocumentList:
        key = (*self._namespace(scope, app), check_name(table, "table"))
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise ValidationError(f"limit must be an integer from 1 to 1000, got {limit!r}")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValidationError(f"offset must be a non-negative integer, got {offset!r}")
        condition = compile_where(where)
        ordering = compile_order(order_by, order_dir)
        table_id = await self._table_id(key, condition)
        if table_id is None:
            return DocumentList(documents=[], total=0, limit=limit, offset=offset)
        filtered = store.filtered_from(key[0], table_id, condition.sql)
        total = (await self._db.fetchall(f"SELECT COUNT(*) {filtered}", condition.params))[0][0]
        rows = await self._db.fetchall(
            f"SELECT {store.DOCUMENT_COLUMNS} {filtered} ORDER BY {ordering} LIMIT ? OFFSET ?",
            (*condition.params, limit, offset),
        )
        return DocumentList(documents=[store.document(row) for row in rows], total=total, limit=limit, offset=offset)

    async def count(self, table: str, where: dict[str, Any] | None, scope: str | None, app: str | None) -> int:
        key = (*self._namespace(scope, app), check_name(table, "table"))
        condition = compile_where(where)
        table_id = await self._table_id(key, condition)
        if table_id is None:
            return 0
        rows = await self._db.fetchall(
            f"SELECT COUNT(*) {store.filtered_from(key[0], table_id, condition.sql)}", condition.params
        )
        total: int = rows[0][0]
        return total

    async def _table_id(self, key: tuple[str, str, str], condition: Condition) -> str | None:
        rows = await self._db.fetchall("SELECT id FROM data_tables WHERE scope = ? AND app = ? AND name = ?", key)
        if not rows:
            return None
        if condition.uses_casefold:
            await _ensure_casefold(self._db.conn)
        table_id: str = rows[0][0]
        return table_id


async def _ensure_casefold(conn: aiosqlite.Connection) -> None:
    """Register the ilike helper on this connection once (a pure function: no effect on other SQL)."""
    if conn not in _casefold_ready:
        await conn.create_function(CASEFOLD_FUNCTION, 1, _casefold, deterministic=True)
        _casefold_ready.add(conn)


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value
