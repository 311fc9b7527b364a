"""Migration 301: a data dir from before stores per scope keeps its tables, documents and indexes."""

import json
from pathlib import Path

from bifrost_mcp.data.tables import MIGRATIONS, TablesView
from bifrost_mcp.data.tables.stores import store_name
from bifrost_mcp.storage.db import Database
from tests.support.callers import ORG_A, ORG_B, member

STAMP = "2024-05-01T10:00:00.000000+00:00"
A_TABLE, B_TABLE = "a" * 32, "b" * 32


async def write_the_old_layout(data_dir: Path) -> None:
    """Two organizations' tables as migration 300 stored them: one shared documents table, indexes on it."""
    db = Database(data_dir)
    await db.open(MIGRATIONS[:1])
    schema = json.dumps({"indexes": [["status"]]})
    async with db.transaction() as conn:
        for table_id, scope, table_schema in ((A_TABLE, ORG_A.id, schema), (B_TABLE, ORG_B.id, None)):
            await conn.execute(
                "INSERT INTO data_tables (id, name, description, table_schema, scope, app, created_at) "
                "VALUES (?, 'orders', NULL, ?, ?, '', ?)",
                (table_id, table_schema, scope, STAMP),
            )
        await conn.execute(
            f"CREATE INDEX ix_data_documents_{A_TABLE}_0 ON data_documents "
            f"(json_extract(data, '$.\"status\"')) WHERE table_id = '{A_TABLE}'"
        )
        for table_id, doc_id, status in ((A_TABLE, "a1", "open"), (A_TABLE, "a2", "paid"), (B_TABLE, "b1", "open")):
            await conn.execute(
                "INSERT INTO data_documents (table_id, id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                (table_id, doc_id, json.dumps({"status": status}), STAMP, STAMP),
            )
    await db.close()


async def test_the_documents_move_to_their_scopes_stores_with_their_indexes(tmp_path: Path) -> None:
    await write_the_old_layout(tmp_path)
    db = Database(tmp_path)
    await db.open(MIGRATIONS)
    try:
        tables_a, tables_b = TablesView(db, member(ORG_A)), TablesView(db, member(ORG_B))
        paid = await tables_a.query("orders", {"status": "paid"}, None, "asc", 10, 0, None, None)
        assert [(d.id, d.table_id, d.data) for d in paid.documents] == [("a2", A_TABLE, {"status": "paid"})]
        b1 = await tables_b.get("orders", "b1", None, None)
        assert b1 is not None and (b1.table_id, b1.data) == (B_TABLE, {"status": "open"})
        assert await tables_b.count("orders", None, None, None) == 1

        objects = await db.fetchall("SELECT type, name, tbl_name FROM sqlite_master WHERE name LIKE '%documents%'")
        store_a, store_b = store_name(ORG_A.id), store_name(ORG_B.id)
        assert sorted(tuple(row) for row in objects) == sorted(
            [
                ("table", store_a, store_a),
                ("index", f"{store_a}_by_created", store_a),
                ("index", f"sqlite_autoindex_{store_a}_1", store_a),
                ("index", f"ix_data_documents_{A_TABLE}_0", store_a),
                ("table", store_b, store_b),
                ("index", f"{store_b}_by_created", store_b),
                ("index", f"sqlite_autoindex_{store_b}_1", store_b),
            ]
        )
    finally:
        await db.close()
