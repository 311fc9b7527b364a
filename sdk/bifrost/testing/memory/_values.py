"""Document values as the host's SQL sees them: dotted paths, JSON kinds, strict equality, and query order.

order_by: null and missing values last in both directions; numbers (true/false as 1/0) before strings
(arrays and objects as their JSON text), as SQLite orders what json_extract returns; ties broken by id in the
same direction. `id`, `created_at` and `updated_at` order by the document's own columns (the default is
created_at).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from bifrost.errors import ValidationError
from bifrost.types import DocumentData

MISSING = object()  # what a path names in a document that lacks it: null to every operator
_INT64 = 2**63
_UNSAFE_KEY = re.compile(r'["\x00-\x1f\x7f]')
META_COLUMNS = ("id", "created_at", "updated_at")


def parse_field(field: object, *, what: str = "field") -> tuple[str, ...]:
    if not isinstance(field, str):
        raise ValidationError(f"{what} names must be strings, got {type(field).__name__} {field!r}")
    if not field:
        raise ValidationError(f"{what} name is empty: name a data field, e.g. 'status' or 'address.city'")
    if len(field) > 256:
        raise ValidationError(f"{what} {field[:40]!r}... is longer than 256 characters")
    keys = tuple(field.split("."))
    if "" in keys:
        raise ValidationError(
            f"{what} {field!r} has an empty segment: separate nested keys with single dots, e.g. 'address.city'"
        )
    if any(_UNSAFE_KEY.search(key) for key in keys):
        raise ValidationError(f"{what} {field!r} contains a double quote or a control character")
    return keys


def value_at(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return MISSING
        data = data[key]
    return data


def json_kind(value: Any) -> str | None:
    """The JSON kind of a value: null (None or missing), bool, number, text, array, object; None if not JSON."""
    if value is None or value is MISSING:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "array"
    return "object" if isinstance(value, dict) else None


def kind_of(value: Any, field: str, op: str) -> str:
    """The JSON kind of an operand, or a ValidationError naming the field and operator."""
    kind = json_kind(value)
    if kind is None:
        raise ValidationError(
            f"{field!r} {op}: {type(value).__name__} is not a JSON value; use a string, number, bool, None or list"
        )
    if isinstance(value, int) and kind == "number" and not -_INT64 <= value < _INT64:
        raise ValidationError(f"{field!r} {op}: {value} does not fit in a 64-bit integer")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(f"{field!r} {op}: {value} is not a finite number")
    return kind


def same(stored: Any, operand: Any, kind: str) -> bool:
    """Strict JSON equality of a stored value and an operand of `kind`."""
    if kind == "null":
        return stored is None or stored is MISSING
    if kind == "array":
        return isinstance(stored, list) and to_json(stored) == to_json(list(operand))
    return json_kind(stored) == kind and stored == operand


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def ordered(documents: list[DocumentData], order_by: str | None, order_dir: str) -> list[DocumentData]:
    """`documents` in the host's order: see the module docstring."""
    if order_dir not in ("asc", "desc"):
        raise ValidationError(f"order_dir must be 'asc' or 'desc', got {order_dir!r}")
    field, descending = order_by or "created_at", order_dir == "desc"
    by_id = sorted(documents, key=lambda doc: doc.id, reverse=descending)
    if field in META_COLUMNS:
        return sorted(by_id, key=lambda doc: getattr(doc, field), reverse=descending)
    keys = parse_field(field, what="order_by field")
    present = [(doc, value_at(doc.data, keys)) for doc in by_id]
    nulls = [doc for doc, value in present if value is None or value is MISSING]
    values = [(doc, _sort_key(value)) for doc, value in present if value is not None and value is not MISSING]
    return [doc for doc, _ in sorted(values, key=lambda pair: pair[1], reverse=descending)] + nulls


def _sort_key(value: Any) -> tuple[int, Any]:
    """SQLite's order of json_extract values: numbers (true/false as 1/0), then text (arrays, objects as JSON)."""
    if isinstance(value, bool | int | float):
        return (0, int(value) if isinstance(value, bool) else value)
    return (1, value if isinstance(value, str) else to_json(value))
