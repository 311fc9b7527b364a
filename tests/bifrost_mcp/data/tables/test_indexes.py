from typing import Any

import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.data.tables import TablesView
from bifrost_mcp.data.tables.indexes import parse_indexes
from bifrost_mcp.data.tables.query import compile_order, compile_where
from bifrost_mcp.data.tables.store import DOCUMENT_COLUMNS, filtered_from
from bifrost_mcp.storage.db import Database


async def plan(db: Database, table_id: str, where: dict[str, Any], order_by: str | None = None) -> str:
    """EXPLAIN QUERY PLAN of the exact page query TablesView.query runs."""
    condition = compile_where(where)
    scope = (await db.fetchall("SELECT scope FROM data_tables WHERE id = ?", (table_id,)))[0][0]
    sql = (
        f"SELECT {DOCUMENT_COLUMNS} {filtered_from(scope, table_id, condition.sql)} "
        f"ORDER BY {compile_order(order_by, 'asc')} LIMIT ? OFFSET ?"
    )
    rows = await db.fetchall(f"EXPLAIN QUERY PLAN {sql}", (*condition.params, 10, 0))
    return " | ".join(row["detail"] for row in rows)


async def index_names(db: Database) -> list[str]:
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'index' AND name GLOB 'ix_data_documents_*'")
    return sorted(row["name"] for row in rows)


def test_index_declarations_accept_lists_dicts_and_single_names() -> None:
    schema = {"indexes": [["status"], {"fields": ["customer_id", "created_at"]}, "address.city"]}
    assert parse_indexes(schema) == [("status",), ("customer_id", "created_at"), ("address.city",)]
    assert parse_indexes({"columns": {"status": "text"}}) == []
    assert parse_indexes(None) == []


@pytest.mark.parametrize(
    ("indexes", "message"),
    [
        ("status", "must be a list"),
        ([[]], "non-empty list of field names"),
        ([[1]], "non-empty list of field names"),
        ([{"fields": ["a"], "unique": True}], "unexpected keys"),
        ([{"columns": ["a"]}], "write {'fields'"),
        ([["a..b"]], "empty segment"),
        ([["a"]] * 17, "at most 16"),
    ],
)
def test_a_malformed_index_declaration_is_refused_saying_how_to_write_it(indexes: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_indexes({"indexes": indexes})


async def test_equality_on_an_indexed_field_uses_the_expression_index(db: Database, tables_a: TablesView) -> None:
    info = await tables_a.create("orders", None, {"indexes": [["status"]]}, None, None)
    for n in range(20):
        await tables_a.insert("orders", {"status": f"s{n % 4}", "total": n}, None, None, None)
    assert f"USING INDEX ix_data_documents_{info.id}_0" in await plan(db, info.id, {"status": "s1"})
    assert f"USING INDEX ix_data_documents_{info.id}_0" in await plan(db, info.id, {"status": {"in": ["s1", "s2"]}})
    assert "ix_data_documents_" not in await plan(db, info.id, {"total": 3})
    result = await tables_a.query("orders", {"status": "s1"}, None, "asc", 100, 0, None, None)
    assert result.total == 5


async def test_a_composite_index_serves_equality_with_ordering_on_the_second_field(
    db: Database, tables_a: TablesView
) -> None:
    info = await tables_a.create("orders", None, {"indexes": [{"fields": ["customer.id", "created_at"]}]}, None, None)
    detail = await plan(db, info.id, {"customer.id": "c1"}, order_by="created_at")
    assert f"USING INDEX ix_data_documents_{info.id}_0" in detail
    assert "USE TEMP B-TREE FOR ORDER BY" not in detail  # at most the id tie-break is sorted


async def test_deleting_a_table_drops_its_indexes_only(db: Database, tables_a: TablesView) -> None:
    kept = await tables_a.create("kept", None, {"indexes": [["status"]]}, None, None)
    await tables_a.create("gone", None, {"indexes": [["status"], ["kind"]]}, None, None)
    assert len(await index_names(db)) == 3
    assert await tables_a.delete("gone", None, None)
    assert await index_names(db) == [f"ix_data_documents_{kept.id}_0"]


async def test_a_refused_index_declaration_creates_no_table(tables_a: TablesView) -> None:
    with pytest.raises(ValidationError):
        await tables_a.create("orders", None, {"indexes": [['bad"key']]}, None, None)
    assert await tables_a.list(None, None) == []
