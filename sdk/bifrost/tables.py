"""Document tables scoped to organizations (and optionally applications), with a safe query language."""

from __future__ import annotations

import builtins
from typing import Any, Literal

from bifrost._runtime import platform
from bifrost.errors import ValidationError
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
    return await platform().tables.create(_name("table name", name), description, table_schema, scope, app)


async def list(scope: str | None = None, app: str | None = None) -> builtins.list[TableInfo]:
    """The tables of the caller's scope."""
    return await platform().tables.list(scope, app)


async def delete(name: str, scope: str | None = None, app: str | None = None) -> bool:
    """Delete a table and all its documents."""
    return await platform().tables.delete(_name("table name", name), scope, app)


async def insert(
    table: str, data: dict[str, Any], id: str | None = None, scope: str | None = None, app: str | None = None
) -> DocumentData:
    """Insert a document (auto-creates the table); `id` defaults to a UUID."""
    return await platform().tables.insert(_name("table", table), _data(data), id, scope, app)


async def upsert(
    table: str, id: str, data: dict[str, Any], scope: str | None = None, app: str | None = None
) -> DocumentData:
    """Create or replace the document `id`."""
    return await platform().tables.upsert(_name("table", table), _name("id", id), _data(data), scope, app)


async def get(table: str, doc_id: str, scope: str | None = None, app: str | None = None) -> DocumentData | None:
    """The document `doc_id`, or None."""
    return await platform().tables.get(_name("table", table), _name("doc_id", doc_id), scope, app)


async def update(
    table: str, doc_id: str, data: dict[str, Any], scope: str | None = None, app: str | None = None
) -> DocumentData | None:
    """Merge `data` into the document `doc_id`; None if it does not exist."""
    return await platform().tables.update(_name("table", table), _name("doc_id", doc_id), _data(data), scope, app)


async def delete_document(table: str, doc_id: str, scope: str | None = None, app: str | None = None) -> bool:
    """Delete one document; True if it existed."""
    return await platform().tables.delete_document(_name("table", table), _name("doc_id", doc_id), scope, app)


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
    return await platform().tables.query(_name("table", table), where, order_by, order_dir, limit, offset, scope, app)


async def count(
    table: str, where: dict[str, Any] | None = None, scope: str | None = None, app: str | None = None
) -> int:
    """How many documents match `where`."""
    return await platform().tables.count(_name("table", table), where, scope, app)


__all__ = ["count", "create", "delete", "delete_document", "get", "insert", "list", "query", "update", "upsert"]
