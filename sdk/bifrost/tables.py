"""Document tables scoped to organizations (and optionally applications), with a safe query language."""

from __future__ import annotations

import builtins
from typing import Any, Literal

from bifrost.errors import ValidationError
from bifrost.platform import call, returned, returned_list, returned_or_none
from bifrost.types import DocumentData, DocumentList, TableInfo


def _name(kind: str, value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{kind} must be a non-empty string")
    return value


def _data(data: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationError(f"document data must be a dict, got {type(data).__name__}")
    return data


async def create(
    name: str,
    description: str | None = None,
    table_schema: dict[str, Any] | None = None,
    scope: str | None = None,
    app: str | None = None,
) -> TableInfo:
    """Create a table explicitly (insert creates one on first use)."""
    info = await call(
        "tables.create",
        name=_name("table name", name),
        description=description,
        table_schema=table_schema,
        scope=scope,
        app=app,
    )
    return returned(TableInfo, info)


async def list(scope: str | None = None, app: str | None = None) -> builtins.list[TableInfo]:
    """The tables of the caller's scope."""
    return returned_list(TableInfo, await call("tables.list", scope=scope, app=app))


async def delete(name: str, scope: str | None = None, app: str | None = None) -> bool:
    """Delete a table and all its documents."""
    return bool(await call("tables.delete", name=_name("table name", name), scope=scope, app=app))


async def insert(
    table: str, data: dict[str, Any], id: str | None = None, scope: str | None = None, app: str | None = None
) -> DocumentData:
    """Insert a document (auto-creates the table); `id` defaults to a UUID."""
    doc = await call("tables.insert", table=_name("table", table), data=_data(data), id=id, scope=scope, app=app)
    return returned(DocumentData, doc)


async def upsert(
    table: str, id: str, data: dict[str, Any], scope: str | None = None, app: str | None = None
) -> DocumentData:
    """Create or replace the document `id`."""
    doc = await call(
        "tables.upsert", table=_name("table", table), id=_name("id", id), data=_data(data), scope=scope, app=app
    )
    return returned(DocumentData, doc)


async def get(table: str, doc_id: str, scope: str | None = None, app: str | None = None) -> DocumentData | None:
    """The document `doc_id`, or None."""
    doc = await call("tables.get", table=_name("table", table), doc_id=_name("doc_id", doc_id), scope=scope, app=app)
    return returned_or_none(DocumentData, doc)


async def update(
    table: str, doc_id: str, data: dict[str, Any], scope: str | None = None, app: str | None = None
) -> DocumentData | None:
    """Merge `data` into the document `doc_id`; None if it does not exist."""
    doc = await call(
        "tables.update",
        table=_name("table", table),
        doc_id=_name("doc_id", doc_id),
        data=_data(data),
        scope=scope,
        app=app,
    )
    return returned_or_none(DocumentData, doc)


async def delete_document(table: str, doc_id: str, scope: str | None = None, app: str | None = None) -> bool:
    """Delete one document; True if it existed."""
    deleted = await call(
        "tables.delete_document", table=_name("table", table), doc_id=_name("doc_id", doc_id), scope=scope, app=app
    )
    return bool(deleted)


async def query(
    table: str,
    where: dict[str, Any] | None = None,
    order_by: str | None = None,
    order_dir: Literal["asc", "desc"] = "asc",
    limit: int = 100,
    offset: int = 0,
    scope: str | None = None,
    app: str | None = None,
) -> DocumentList:
    """Documents matching `where` (see the operator list in the spec), ordered and paged."""
    if order_dir not in ("asc", "desc"):
        raise ValidationError(f"order_dir must be 'asc' or 'desc', got {order_dir!r}")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
        raise ValidationError(f"limit must be an integer from 1 to 1000, got {limit!r}")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ValidationError(f"offset must be a non-negative integer, got {offset!r}")
    page = await call(
        "tables.query",
        table=_name("table", table),
        where=where,
        order_by=order_by,
        order_dir=order_dir,
        limit=limit,
        offset=offset,
        scope=scope,
        app=app,
    )
    return returned(DocumentList, page)


async def count(
    table: str, where: dict[str, Any] | None = None, scope: str | None = None, app: str | None = None
) -> int:
    """How many documents match `where`."""
    return int(await call("tables.count", table=_name("table", table), where=where, scope=scope, app=app))


__all__ = ["count", "create", "delete", "delete_document", "get", "insert", "list", "query", "update", "upsert"]
