"""Field paths into document data, rendered as SQL text that is safe by construction.

A field is a dotted path of object keys (`"address.city"`). Each key is double-quoted inside the JSON path
(`$."address"."city"`), so any character is a literal key character except `"` and control characters,
which SQLite's JSON path syntax cannot express and are refused. The JSON path is then written into the SQL
as a single-quoted string literal with `'` doubled, the complete escaping rule for SQLite literals. Paths
are inlined rather than bound as parameters on purpose: SQLite uses an expression index only when the
query's expression is textually the same constant expression as the index's (see indexes.py).
"""

from __future__ import annotations

import re

from bifrost.errors import ValidationError

MAX_FIELD_LENGTH = 256
META_COLUMNS = ("id", "created_at", "updated_at")

_UNSAFE_KEY = re.compile(r'["\x00-\x1f\x7f]')
_TABLE_ID = re.compile(r"[0-9a-f]{32}")

TEXT = "'text'"
NUMBER_TYPES = "('integer', 'real')"


def parse_field(field: object, *, what: str = "field") -> tuple[str, ...]:
    """The keys of a dotted field path, or a ValidationError naming the field and the rule it breaks."""
    if not isinstance(field, str):
        raise ValidationError(f"{what} names must be strings, got {type(field).__name__} {field!r}")
    if not field:
        raise ValidationError(f"{what} name is empty: name a data field, e.g. 'status' or 'address.city'")
    if len(field) > MAX_FIELD_LENGTH:
        raise ValidationError(f"{what} {field[:40]!r}... is longer than {MAX_FIELD_LENGTH} characters")
    keys = tuple(field.split("."))
    if "" in keys:
        raise ValidationError(
            f"{what} {field!r} has an empty segment: separate nested keys with single dots, e.g. 'address.city'"
        )
    for key in keys:
        check_key(key, field, what=what)
    return keys


def check_key(key: str, field: str, *, what: str = "field") -> None:
    if _UNSAFE_KEY.search(key):
        raise ValidationError(
            f"{what} {field!r} contains a double quote or a control character, which a JSON path cannot "
            "address; rename that key in your documents"
        )
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(f"{what} {field!r} is not valid Unicode text (lone surrogate)") from None


def sql_literal(text: str) -> str:
    """`text` as an SQLite string literal. Callers pass only checked keys (no NUL, valid UTF-8)."""
    return "'" + text.replace("'", "''") + "'"


def json_path(keys: tuple[str, ...]) -> str:
    return "$" + "".join(f'."{key}"' for key in keys)


def value_expr(keys: tuple[str, ...]) -> str:
    """The SQL value at `keys`; indexes use this exact text.

    Numbers come back as INTEGER/REAL, strings as TEXT, true/false as 1/0, null or missing as NULL,
    objects and arrays as minified JSON text.
    """
    return f"json_extract(data, {sql_literal(json_path(keys))})"


def type_expr(keys: tuple[str, ...]) -> str:
    """The JSON type at `keys` ('null', 'true', 'integer', 'text', 'array', ...), NULL when missing."""
    return f"json_type(data, {sql_literal(json_path(keys))})"


def table_literal(table_id: str) -> str:
    """A table id as an SQL literal. Table ids are generated here (uuid4 hex); anything else is a bug."""
    if not _TABLE_ID.fullmatch(table_id):
        raise RuntimeError(f"table id {table_id!r} is not a 32-digit hex id; refusing to put it in SQL")
    return f"'{table_id}'"


def order_expr(field: str) -> tuple[str, bool]:
    """SQL for an order_by name and whether it is a data field (nullable) rather than a metadata column."""
    if field in META_COLUMNS:
        return field, False
    return value_expr(parse_field(field, what="order_by field")), True
