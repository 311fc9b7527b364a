import uuid
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest

from bifrost import tables as sdk_tables
from bifrost.errors import ValidationError
from bifrost_mcp.data.tables import TablesView
from bifrost_mcp.data.tables.stores import store_name
from bifrost_mcp.storage.db import Database
from tests.bifrost_mcp.data.sdk_binding import bound
from tests.support.callers import ORG_A, member


async def test_insert_creates_the_table_and_returns_the_stored_document(tables_a: TablesView) -> None:
    doc = await tables_a.insert("customers", {"name": "Acme", "status": "active"}, None, None, None)
    uuid.UUID(doc.id)
    assert doc.data == {"name": "Acme", "status": "active"}
    assert doc.created_at == doc.updated_at
    assert doc.created_at is not None and doc.created_at.tzinfo is UTC
    [table] = await tables_a.list(None, None)
    assert (table.name, table.id, table.organization_id, table.application_id) == (
        "customers",
        doc.table_id,
        "org-a",
        None,
    )
    assert await tables_a.get("customers", doc.id, None, None) == doc


async def test_insert_with_a_custom_id_keeps_it(tables_a: TablesView) -> None:
    doc = await tables_a.insert("customers", {"name": "TechCo"}, "techco-001", None, None)
    assert doc.id == "techco-001"
    got = await tables_a.get("customers", "techco-001", None, None)
    assert got is not None and got.data == {"name": "TechCo"}


async def test_inserting_an_existing_id_is_refused_and_keeps_the_original(tables_a: TablesView) -> None:
    await tables_a.insert("customers", {"name": "first"}, "c1", None, None)
    with pytest.raises(ValidationError, match=r"'c1' already exists in table 'customers'; use upsert"):
        await tables_a.insert("customers", {"name": "second"}, "c1", None, None)
    got = await tables_a.get("customers", "c1", None, None)
    assert got is not None and got.data == {"name": "first"}


async def test_documents_round_trip_nested_unicode_and_numbers(tables_a: TablesView) -> None:
    data: dict[str, Any] = {"naïve": "✓ 日本", "n": [1, 2.5, -3e-7, 2**62], "deep": {"a": {"b": None}}, "t": True}
    await tables_a.insert("t", data, "d", None, None)
    got = await tables_a.get("t", "d", None, None)
    assert got is not None and got.data == data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"when": datetime(2024, 1, 1)}, "not JSON-serializable.*datetime"),
        ({1: "one"}, "document key 1 is a int"),
        ({"nested": [{"ok": 1, 2: "two"}]}, "document key 2"),
        ({"x": float("nan")}, "not JSON-serializable"),
        ({"s": "\ud800"}, "lone surrogate"),
        (["not", "a", "dict"], "must be a dict"),
    ],
)
async def test_data_that_is_not_json_is_refused_and_nothing_is_written(
    tables_a: TablesView, data: Any, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        await tables_a.insert("t", data, None, None, None)
    assert await tables_a.list(None, None) == []


async def test_upsert_creates_then_replaces_the_whole_document(tables_a: TablesView) -> None:
    first = await tables_a.upsert("settings", "app-config", {"theme": "dark", "lang": "en"}, None, None)
    second = await tables_a.upsert("settings", "app-config", {"theme": "light"}, None, None)
    assert second.data == {"theme": "light"}
    assert second.created_at == first.created_at
    assert second.updated_at is not None and first.updated_at is not None and second.updated_at > first.updated_at
    assert await tables_a.get("settings", "app-config", None, None) == second
    assert await tables_a.count("settings", None, None, None) == 1


async def test_update_merges_top_level_keys(tables_a: TablesView) -> None:
    await tables_a.insert("t", {"a": 1, "b": {"x": 1, "y": 2}, "c": "keep"}, "d", None, None)
    updated = await tables_a.update("t", "d", {"a": 2, "b": {"x": 9}, "c": None, "new": True}, None, None)
    assert updated is not None
    assert updated.data == {"a": 2, "b": {"x": 9}, "c": None, "new": True}
    assert await tables_a.get("t", "d", None, None) == updated


async def test_update_of_a_missing_document_or_table_returns_none_and_creates_nothing(tables_a: TablesView) -> None:
    await tables_a.insert("t", {"a": 1}, "d", None, None)
    assert await tables_a.update("t", "other", {"a": 2}, None, None) is None
    assert await tables_a.update("missing", "d", {"a": 2}, None, None) is None
    assert await tables_a.count("t", None, None, None) == 1
    assert [t.name for t in await tables_a.list(None, None)] == ["t"]


async def test_delete_document_reports_whether_it_existed(tables_a: TablesView) -> None:
    await tables_a.insert("t", {"a": 1}, "d", None, None)
    assert await tables_a.delete_document("t", "d", None, None) is True
    assert await tables_a.delete_document("t", "d", None, None) is False
    assert await tables_a.get("t", "d", None, None) is None


async def test_create_returns_table_info_and_refuses_an_existing_name(tables_a: TablesView) -> None:
    schema = {"indexes": [["status"]], "columns": {"status": "text"}}
    info = await tables_a.create("orders", "Customer orders", schema, None, None)
    assert (info.name, info.description, info.table_schema, info.organization_id) == (
        "orders",
        "Customer orders",
        schema,
        "org-a",
    )
    assert await tables_a.list(None, None) == [info]
    with pytest.raises(ValidationError, match="table 'orders' already exists"):
        await tables_a.create("orders", None, None, None, None)


async def test_list_is_sorted_by_name(tables_a: TablesView) -> None:
    for name in ("zeta", "alpha", "mid"):
        await tables_a.create(name, None, None, None, None)
    assert [t.name for t in await tables_a.list(None, None)] == ["alpha", "mid", "zeta"]


async def test_deleting_a_table_deletes_its_documents(db: Database, tables_a: TablesView) -> None:
    await tables_a.insert("t", {"a": 1}, "d", None, None)
    assert await tables_a.delete("t", None, None) is True
    assert await tables_a.delete("t", None, None) is False
    assert await db.fetchall(f'SELECT * FROM "{store_name(ORG_A.id)}"') == []
    await tables_a.insert("t", {"a": 2}, "d", None, None)
    assert await tables_a.count("t", None, None, None) == 1


async def test_a_table_that_was_never_created_reads_as_empty(tables_a: TablesView) -> None:
    result = await tables_a.query("nothing", {"a": 1}, None, "asc", 10, 0, None, None)
    assert (result.documents, result.total, result.limit, result.offset) == ([], 0, 10, 0)
    assert await tables_a.count("nothing", None, None, None) == 0
    assert await tables_a.get("nothing", "d", None, None) is None
    assert await tables_a.delete_document("nothing", "d", None, None) is False
    assert await tables_a.update("nothing", "d", {"a": 1}, None, None) is None  # the scope has no store yet
    assert await tables_a.list(None, None) == []


async def test_an_app_has_its_own_tables_under_the_same_name(tables_a: TablesView) -> None:
    await tables_a.insert("tickets", {"n": 1}, "t", None, None)
    await tables_a.insert("tickets", {"n": 2}, "t", None, "crm")
    org_doc = await tables_a.get("tickets", "t", None, None)
    app_doc = await tables_a.get("tickets", "t", None, "crm")
    assert org_doc is not None and app_doc is not None
    assert (org_doc.data, app_doc.data) == ({"n": 1}, {"n": 2})
    [app_table] = await tables_a.list(None, "crm")
    assert app_table.application_id == "crm"
    assert [t.application_id for t in await tables_a.list(None, None)] == [None]


async def test_limit_offset_and_total_page_through_matches(tables_a: TablesView) -> None:
    for n in range(25):
        await tables_a.insert("t", {"n": n, "even": n % 2 == 0}, f"d{n:02}", None, None)
    page = await tables_a.query("t", None, "n", "asc", 10, 20, None, None)
    assert [d.data["n"] for d in page.documents] == [20, 21, 22, 23, 24]
    assert (page.total, page.limit, page.offset) == (25, 10, 20)
    evens = await tables_a.query("t", {"even": True}, "n", "desc", 3, 1, None, None)
    assert [d.data["n"] for d in evens.documents] == [22, 20, 18]
    assert evens.total == 13
    beyond = await tables_a.query("t", None, None, "asc", 10, 100, None, None)
    assert (beyond.documents, beyond.total) == ([], 25)


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (1001, 0), (True, 0), (10, -1), (10, 1.5)])
async def test_limit_and_offset_out_of_range_are_refused(tables_a: TablesView, limit: Any, offset: Any) -> None:
    with pytest.raises(ValidationError, match=r"limit|offset"):
        await tables_a.query("t", None, None, "asc", limit, offset, None, None)


@pytest.mark.parametrize("name", ["", "   ", "tab\tname", "x" * 256, 5])
async def test_a_bad_table_name_is_refused(tables_a: TablesView, name: Any) -> None:
    with pytest.raises(ValidationError, match="table"):
        await tables_a.insert(name, {"a": 1}, None, None, None)


@pytest.mark.parametrize("doc_id", ["", 7, "x" * 513])
async def test_a_bad_document_id_is_refused(tables_a: TablesView, doc_id: Any) -> None:
    with pytest.raises(ValidationError, match="document id"):
        await tables_a.insert("t", {"a": 1}, doc_id, None, None)


async def test_an_empty_app_name_is_refused(tables_a: TablesView) -> None:
    with pytest.raises(ValidationError, match="app must be a non-empty string"):
        await tables_a.list(None, "")


async def test_concurrent_first_inserts_create_one_table_holding_every_document(tables_a: TablesView) -> None:
    async with anyio.create_task_group() as group:
        for n in range(20):
            group.start_soon(tables_a.insert, "fresh", {"n": n}, f"d{n}", None, None)
    [table] = await tables_a.list(None, None)
    assert table.name == "fresh"
    assert await tables_a.count("fresh", None, None, None) == 20


async def test_the_spec_example_runs_through_the_sdk_tables_module(db: Database) -> None:
    caller = member(ORG_A)
    with bound(caller, tables=TablesView(db, caller)):
        doc = await sdk_tables.insert("customers", {"name": "Acme", "status": "active", "revenue": 12000})
        uuid.UUID(doc.id)
        await sdk_tables.insert("customers", {"name": "TechCo", "status": "active", "revenue": 9999.5}, id="techco-001")
        await sdk_tables.insert("customers", {"name": "Old", "status": "inactive", "revenue": 50000})
        settings = await sdk_tables.upsert("settings", id="app-config", data={"theme": "dark"})
        assert settings.data == {"theme": "dark"}
        result = await sdk_tables.query(
            "customers",
            where={"status": "active", "revenue": {"gte": 10000}},
            order_by="created_at",
            order_dir="desc",
            limit=10,
        )
        assert [d.data["name"] for d in result.documents] == ["Acme"]
        assert (result.total, result.limit, result.offset) == (1, 10, 0)
        assert await sdk_tables.count("customers") == 3
