"""The tenant matrix: nothing of org B is reachable from org A by any operation; only admins pick a scope."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bifrost_mcp.data.tables import TablesView
from bifrost_mcp.data.tables.stores import store_name
from bifrost_mcp.storage.db import Database
from tests.support.callers import ORG_A, ORG_B

Operation = Callable[[TablesView, str | None], Awaitable[Any]]

OPERATIONS: dict[str, Operation] = {
    "create": lambda t, scope: t.create("new", None, None, scope, None),
    "list": lambda t, scope: t.list(scope, None),
    "delete": lambda t, scope: t.delete("tickets", scope, None),
    "insert": lambda t, scope: t.insert("tickets", {"x": 1}, None, scope, None),
    "upsert": lambda t, scope: t.upsert("tickets", "t1", {"x": 1}, scope, None),
    "get": lambda t, scope: t.get("tickets", "t1", scope, None),
    "update": lambda t, scope: t.update("tickets", "t1", {"x": 1}, scope, None),
    "delete_document": lambda t, scope: t.delete_document("tickets", "t1", scope, None),
    "query": lambda t, scope: t.query("tickets", None, None, "asc", 10, 0, scope, None),
    "count": lambda t, scope: t.count("tickets", None, scope, None),
}


@pytest.fixture
async def b_ticket(tables_b: TablesView) -> dict[str, Any]:
    await tables_b.insert("tickets", {"secret": "b-only"}, "t1", None, None)
    return {"secret": "b-only"}


async def b_untouched(tables_b: TablesView, data: dict[str, Any]) -> None:
    doc = await tables_b.get("tickets", "t1", None, None)
    assert doc is not None and doc.data == data
    assert await tables_b.count("tickets", None, None, None) == 1


async def test_org_a_cannot_read_org_b_documents(
    tables_a: TablesView, tables_b: TablesView, b_ticket: dict[str, Any]
) -> None:
    assert await tables_a.get("tickets", "t1", None, None) is None
    assert (await tables_a.query("tickets", None, None, "asc", 10, 0, None, None)).total == 0
    assert await tables_a.query("tickets", {"secret": "b-only"}, None, "asc", 10, 0, None, None) == (
        await tables_a.query("nothing", None, None, "asc", 10, 0, None, None)
    )
    assert await tables_a.count("tickets", None, None, None) == 0
    assert await tables_a.list(None, None) == []


async def test_org_a_cannot_change_or_delete_org_b_documents_or_tables(
    tables_a: TablesView, tables_b: TablesView, b_ticket: dict[str, Any]
) -> None:
    assert await tables_a.update("tickets", "t1", {"secret": "a"}, None, None) is None
    assert await tables_a.delete_document("tickets", "t1", None, None) is False
    assert await tables_a.delete("tickets", None, None) is False
    await b_untouched(tables_b, b_ticket)


async def test_org_a_writing_the_same_table_and_id_writes_its_own_table(
    tables_a: TablesView, tables_b: TablesView, b_ticket: dict[str, Any]
) -> None:
    inserted = await tables_a.insert("tickets", {"secret": "a"}, "t1", None, None)
    upserted = await tables_a.upsert("tickets", "t1", {"secret": "a2"}, None, None)
    [b_table] = await tables_b.list(None, None)
    assert inserted.table_id == upserted.table_id != b_table.id
    await b_untouched(tables_b, b_ticket)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
async def test_a_member_naming_another_org_scope_is_refused(
    tables_a: TablesView, tables_b: TablesView, b_ticket: dict[str, Any], operation: str
) -> None:
    with pytest.raises(PermissionError, match="scope 'org-b' is not yours"):
        await OPERATIONS[operation](tables_a, ORG_B.id)
    await b_untouched(tables_b, b_ticket)


A_TICKET = {"secret": "a-only"}
View = dict[str, dict[str, dict[str, Any]]]  # table -> document id -> data
UNCHANGED: View = {"tickets": {"t1": A_TICKET}}

# What each operation, naming org A's scope, returns and leaves in org A's tables (where A starts with ticket t1).
OWN_SCOPE_EFFECTS: dict[str, Callable[[Any, View], bool]] = {
    "create": lambda result, view: (
        (result.name, result.organization_id) == ("new", ORG_A.id) and view == {"new": {}, **UNCHANGED}
    ),
    "list": lambda result, view: (
        [(t.name, t.organization_id) for t in result] == [("tickets", ORG_A.id)] and view == UNCHANGED
    ),
    "delete": lambda result, view: result is True and view == {},
    "insert": lambda result, view: view == {"tickets": {"t1": A_TICKET, result.id: {"x": 1}}},
    "upsert": lambda result, view: result.id == "t1" and view == {"tickets": {"t1": {"x": 1}}},
    "get": lambda result, view: result.data == A_TICKET and view == UNCHANGED,
    "update": lambda result, view: result.data == {**A_TICKET, "x": 1} and view == {"tickets": {"t1": result.data}},
    "delete_document": lambda result, view: result is True and view == {"tickets": {}},
    "query": lambda result, view: [d.data for d in result.documents] == [A_TICKET] and view == UNCHANGED,
    "count": lambda result, view: result == 1 and view == UNCHANGED,
}


async def own_view(tables: TablesView) -> View:
    """Every table of the service's caller, read without naming a scope, with its documents."""
    view: View = {}
    for table in await tables.list(None, None):
        documents = await tables.query(table.name, None, None, "asc", 1000, 0, None, None)
        view[table.name] = {d.id: d.data for d in documents.documents}
    return view


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
async def test_a_member_naming_its_own_scope_is_allowed(
    tables_a: TablesView, tables_b: TablesView, b_ticket: dict[str, Any], operation: str
) -> None:
    await tables_a.insert("tickets", A_TICKET, "t1", None, None)

    result = await OPERATIONS[operation](tables_a, ORG_A.id)

    view = await own_view(tables_a)
    assert OWN_SCOPE_EFFECTS[operation](result, view), (result, view)
    await b_untouched(tables_b, b_ticket)


async def test_a_platform_admin_can_act_in_org_b_scope(
    tables_admin: TablesView, tables_b: TablesView, b_ticket: dict[str, Any]
) -> None:
    doc = await tables_admin.get("tickets", "t1", ORG_B.id, None)
    assert doc is not None and doc.data == b_ticket
    assert await tables_admin.count("tickets", {"secret": "b-only"}, ORG_B.id, None) == 1
    assert (await tables_admin.update("tickets", "t1", {"seen": True}, ORG_B.id, None)) is not None
    assert [t.organization_id for t in await tables_admin.list(ORG_B.id, None)] == [ORG_B.id]
    assert await tables_admin.delete("tickets", ORG_B.id, None) is True
    assert await tables_b.list(None, None) == []


async def test_global_scope_is_its_own_scope_without_fallback(
    tables_admin: TablesView, tables_a: TablesView, b_ticket: dict[str, Any]
) -> None:
    assert await tables_admin.list(None, None) == []
    assert await tables_admin.get("tickets", "t1", None, None) is None
    global_doc = await tables_admin.insert("shared", {"x": 1}, "g1", None, None)
    [table] = await tables_admin.list(None, None)
    assert table.organization_id is None
    assert await tables_a.get("shared", "g1", None, None) is None
    assert global_doc.table_id not in {t.id for t in await tables_a.list(None, None)}


async def test_no_operation_from_org_a_changes_a_row_of_org_b(
    db: Database, tables_a: TablesView, b_ticket: dict[str, Any]
) -> None:
    store_b = store_name(ORG_B.id)
    before = [tuple(row) for row in await db.fetchall(f'SELECT * FROM "{store_b}" ORDER BY id')]
    for name in sorted(OPERATIONS):
        await OPERATIONS[name](tables_a, None)
    b_rows = await db.fetchall(
        f'SELECT d.* FROM "{store_b}" d JOIN data_tables t ON t.id = d.table_id WHERE t.scope = ? ORDER BY d.id',
        (ORG_B.id,),
    )
    assert [tuple(row) for row in b_rows] == before
