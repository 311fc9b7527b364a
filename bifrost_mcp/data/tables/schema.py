"""Storage of tables and documents (migration versions 300-399).

A table is keyed by (scope, app, name): scope is the organization id or "GLOBAL", app is "" when the
table belongs to no application. Documents hold their data as compact JSON text and are reached only
through their table's id, so nothing of one scope is addressable from another.
"""

from __future__ import annotations

from bifrost_mcp.storage.db import Migration

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
]
