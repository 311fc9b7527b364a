"""Storage of tables and documents (migration versions 300-399).

A table is keyed by (scope, app, name): scope is the organization id or "GLOBAL", app is "" when the
table belongs to no application. Documents hold their data as compact JSON text, in their scope's own
store (stores.py, since 301), and are reached only through their table's id, so nothing of one scope is
addressable from another.
"""

from __future__ import annotations

import json
import sqlite3

from bifrost_mcp.data.tables.indexes import create_index_sql, parse_indexes
from bifrost_mcp.data.tables.stores import create_store_sql, store_name
from bifrost_mcp.storage.db import Migration


def _documents_by_scope(conn: sqlite3.Connection) -> None:
    """Move the documents of the one shared table into their scopes' stores; rebuild the indexes there."""
    tables = conn.execute("SELECT id, scope, table_schema FROM data_tables").fetchall()
    for scope in sorted({row[1] for row in tables}):
        store = store_name(scope)
        for statement in create_store_sql(store):
            conn.execute(statement)
        conn.execute(
            f'INSERT INTO "{store}" (table_id, id, data, created_at, updated_at) '
            "SELECT d.table_id, d.id, d.data, d.created_at, d.updated_at FROM data_documents AS d "
            "JOIN data_tables AS t ON t.id = d.table_id WHERE t.scope = ?",
            (scope,),
        )
    conn.execute("DROP TABLE data_documents")  # with its indexes, the declared ones among them
    for table_id, scope, schema_text in tables:
        declared = parse_indexes(json.loads(schema_text)) if schema_text is not None else []
        for position, fields in enumerate(declared):
            conn.execute(create_index_sql(store_name(scope), table_id, position, fields))


MIGRATIONS: list[Migration] = [
    Migration(
        300,
        "data tables and documents",
        """
        CREATE TABLE data_tables (
            id TEXT PRIMARY KEY,
            scope TEXT NOT NULL,
            app TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL,
            description TEXT,
            table_schema TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (scope, app, name)
        );
        CREATE TABLE data_documents (
            table_id TEXT NOT NULL REFERENCES data_tables (id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (table_id, id)
        );
        CREATE INDEX data_documents_by_created ON data_documents (table_id, created_at, id);
        """,
    ),
    Migration(301, "documents in a store per scope", "", run=_documents_by_scope),
]
