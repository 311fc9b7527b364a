"""One SQLite table of documents per scope: a write maintains its own scope's indexes and no one else's.

SQLite maintains every index of the table it writes to, and tests the WHERE clause of every partial
index even when the row falls outside it. With all scopes' documents in one table, 1,760 indexes of one
organization made another's upserts 56 times slower. So each scope (organization or GLOBAL) keeps its
documents in a table of its own, `data_documents_<hash of the scope>`, and its tables' declared indexes
are built on it (still partial, by table id, since a scope holds many tables).

The name is derived from the scope, not looked up, so the hot write stays one statement; a scope whose
store does not exist yet fails that statement with "no such table", and the slow path creates the store.
A store stays when its scope's last table is deleted: every schema change costs each connection a schema
reload, and a scope that had tables is likely to have more.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from functools import lru_cache

import aiosqlite

STORE_PREFIX = "data_documents_"
_TABLE_WHERE = "t.scope = ? AND t.app = ? AND t.name = ?"


def store_name(scope: str) -> str:
    """The SQLite table holding `scope`'s documents: a hex digest, so any scope text is a safe name."""
    return STORE_PREFIX + hashlib.sha256(scope.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def create_store_sql(name: str) -> list[str]:
    return [
        f'CREATE TABLE IF NOT EXISTS "{name}" ('
        "table_id TEXT NOT NULL REFERENCES data_tables (id) ON DELETE CASCADE, "
        "id TEXT NOT NULL, data TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
        "PRIMARY KEY (table_id, id))",
        f'CREATE INDEX IF NOT EXISTS "{name}_by_created" ON "{name}" (table_id, created_at, id)',
    ]


async def ensure_store(conn: aiosqlite.Connection, scope: str) -> str:
    """Create `scope`'s store when it is missing, inside the caller's transaction; returns its name."""
    name = store_name(scope)
    for statement in create_store_sql(name):
        await conn.execute(statement)
    return name


def is_missing_store(exc: sqlite3.OperationalError) -> bool:
    """Whether `exc` says a scope's store does not exist yet (nothing of that scope was ever written)."""
    return str(exc).startswith(f"no such table: {STORE_PREFIX}")


@dataclass(frozen=True, slots=True)
class Statements:
    """The document statements of one scope's store; see each field for its parameters."""

    store: str
    insert: str  # id, data, created_at, updated_at, then the table key; RETURNING table_id, created_at
    upsert: str  # as insert; replaces data and updated_at of an existing id
    get: str  # the table key, then the document id
    delete: str  # the document id, then the table key
    update: str  # data, updated_at, table id, document id


@lru_cache(maxsize=1024)
def statements(scope: str) -> Statements:
    store = store_name(scope)
    # One statement finds the table and writes; no row back means the table does not exist.
    insert = (
        f'INSERT INTO "{store}" (table_id, id, data, created_at, updated_at) '
        f"SELECT t.id, ?, ?, ?, ? FROM data_tables AS t WHERE {_TABLE_WHERE}"
    )
    returning = " RETURNING table_id, created_at"
    conflict = " ON CONFLICT (table_id, id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at"
    return Statements(
        store=store,
        insert=insert + returning,
        upsert=insert + conflict + returning,
        get=(
            "SELECT d.id AS id, d.table_id AS table_id, d.data AS data, d.created_at AS created_at, "
            f'd.updated_at AS updated_at FROM "{store}" AS d JOIN data_tables AS t ON t.id = d.table_id '
            f"WHERE {_TABLE_WHERE} AND d.id = ?"
        ),
        delete=(
            f'DELETE FROM "{store}" WHERE id = ? AND table_id = '
            f"(SELECT t.id FROM data_tables AS t WHERE {_TABLE_WHERE})"
        ),
        update=f'UPDATE "{store}" SET data = ?, updated_at = ? WHERE table_id = ? AND id = ?',
    )
