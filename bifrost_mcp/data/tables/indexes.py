"""Indexes declared in `table_schema`, as SQLite partial expression indexes.

Accepted shapes, all equivalent: `{"indexes": [["status"], ["customer_id", "created_at"]]}`,
`{"indexes": [{"fields": ["status"]}]}` and `{"indexes": ["status"]}`. A field is a dotted data path, or
`id` / `created_at` / `updated_at` for the document's own columns. Every other key of `table_schema` is
kept as given and not interpreted.

An index is built on its scope's store (stores.py) and covers only its own table's rows (`WHERE table_id =
'<id>'`). The partial clause keeps the index small, but it does not spare other writes to the same SQLite
table: SQLite tests it on every write there. That is why each scope has a store of its own, and why a scope
has a cap on its indexes (limits.py). The indexed expressions come from paths.value_expr, the same function
the query compiler uses, so equality and range filters on the leading field use the index.
"""

from __future__ import annotations

import re
from typing import Any

from bifrost.errors import ValidationError
from bifrost_mcp.data.tables.paths import META_COLUMNS, parse_field, table_literal, value_expr

MAX_INDEXES = 16
MAX_INDEX_FIELDS = 8
INDEX_PREFIX = "ix_data_documents_"
_INDEX_NAME = re.compile(rf"{INDEX_PREFIX}[0-9a-f]{{32}}_[0-9]+")
_STORE_NAME = re.compile(r"data_documents_[0-9a-f]{32}")


def parse_indexes(table_schema: dict[str, Any] | None) -> list[tuple[str, ...]]:
    """The declared indexes as tuples of field names, or a ValidationError saying how to write them."""
    if table_schema is None or "indexes" not in table_schema:
        return []
    declared = table_schema["indexes"]
    if not isinstance(declared, list):
        raise ValidationError(
            "table_schema['indexes'] must be a list, e.g. [['status'], ['customer_id', 'created_at']]"
        )
    if len(declared) > MAX_INDEXES:
        raise ValidationError(f"table_schema declares {len(declared)} indexes; at most {MAX_INDEXES} are allowed")
    indexes = [_index_fields(entry, position) for position, entry in enumerate(declared)]
    for fields in indexes:
        for name in fields:
            if name not in META_COLUMNS:
                parse_field(name, what="index field")
    return indexes


def _index_fields(entry: object, position: int) -> tuple[str, ...]:
    if isinstance(entry, str):
        fields: object = [entry]
    elif isinstance(entry, dict):
        unknown = set(entry) - {"fields"}
        if unknown or "fields" not in entry:
            raise ValidationError(
                f"table_schema index #{position + 1}: write {{'fields': ['a', 'b']}}; unexpected keys {sorted(unknown)}"
            )
        fields = entry["fields"]
    else:
        fields = entry
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise ValidationError(
            f"table_schema index #{position + 1} must be a non-empty list of field names, got {entry!r}"
        )
    if len(fields) > MAX_INDEX_FIELDS:
        raise ValidationError(f"table_schema index #{position + 1} has more than {MAX_INDEX_FIELDS} fields")
    return tuple(fields)


def index_name(table_id: str, position: int) -> str:
    return f"{INDEX_PREFIX}{table_id}_{position}"


def create_index_sql(store: str, table_id: str, position: int, fields: tuple[str, ...]) -> str:
    """The index on `store`, the table's scope's store (a name from stores.store_name)."""
    if not _STORE_NAME.fullmatch(store):
        raise RuntimeError(f"refusing to index {store!r}: not a document store name")
    columns = ", ".join(name if name in META_COLUMNS else value_expr(parse_field(name)) for name in fields)
    where = f"table_id = {table_literal(table_id)}"
    return f'CREATE INDEX "{index_name(table_id, position)}" ON "{store}" ({columns}) WHERE {where}'


def drop_index_sql(name: str) -> str:
    if not _INDEX_NAME.fullmatch(name):
        raise RuntimeError(f"refusing to drop {name!r}: not a table index name")
    return f'DROP INDEX IF EXISTS "{name}"'


def index_glob(table_id: str) -> str:
    """A GLOB parameter matching the names of the table's indexes in sqlite_master."""
    return f"{INDEX_PREFIX}{table_id}_*"
