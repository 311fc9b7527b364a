"""The `where` of `tables.query`, evaluated in Python with the host's semantics.

The host compiles `where` to SQL (bifrost_mcp/data/tables/query.py, whose docstring is the reference); this
is the same language over plain dicts:

- `{"f": value}` is equality (`{"f": {"eq": value}}`); a dict value is an operator dict, an unknown operator
  is a ValidationError. Operators: eq, ne, gt, gte, lt, lte, like, ilike, in, is_null, contains,
  starts_with, ends_with, has_key. Several operators on a field, and several fields, AND.
- Types are strict: 100 matches 100 or 100.0, never "100" or True. None means null; a missing field is null.
  ne is the complement of eq (true for a missing field).
- gt/gte/lt/lte: numbers compare as numbers; an ISO 8601 date(-time) operand compares stored ISO strings as
  instants (UTC when naive, millisecond precision); other strings compare by code point.
- like (case-sensitive) and ilike (case-folded): `%` any run, `_` one character, nothing else special.
  starts_with and ends_with take their operand literally.
- contains: substring of a string field, or an element of an array field. has_key: the object has the key.
- `in` with an empty list matches nothing. Fields are dotted paths into nested objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

from bifrost.errors import ValidationError
from bifrost.testing.memory._values import MISSING, json_kind, kind_of, parse_field, same, value_at

Test = Callable[[dict[str, Any]], bool]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_STORED_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def compile_where(where: dict[str, Any] | None) -> Test:
    """A test of a document's data, or a ValidationError naming the field and operator."""
    if where is None:
        return lambda data: True
    if not isinstance(where, dict):
        raise ValidationError(f"where must be a dict of field -> value or operators, got {type(where).__name__}")
    tests: list[Test] = []
    for name, operand in where.items():
        keys = parse_field(name)
        if not isinstance(operand, dict):
            tests.append(_field_test(keys, _eq(name, "eq", operand)))
            continue
        if not operand:
            raise ValidationError(f"{name!r}: empty operator dict; e.g. {{'gte': 10}} or a plain value")
        for op, value in operand.items():
            build = _OPERATORS.get(op) if isinstance(op, str) else None
            if build is None:
                raise ValidationError(
                    f"unknown operator {op!r} on field {name!r}; valid operators: {', '.join(sorted(_OPERATORS))} "
                    "(to match a nested object's fields, use dotted paths such as 'address.city')"
                )
            tests.append(_field_test(keys, build(name, op, value)))
    return lambda data: all(test(data) for test in tests)


def _field_test(keys: tuple[str, ...], test: Callable[[Any], bool]) -> Test:
    return lambda data: test(value_at(data, keys))


def _eq(name: str, op: str, value: Any) -> Callable[[Any], bool]:
    kind = kind_of(value, name, op)
    if kind == "object":
        raise ValidationError(
            f"{name!r} {op}: comparing a whole object is not supported; compare its fields with dotted paths, "
            f"e.g. {{'{name}.key': value}}"
        )
    return lambda stored: same(stored, value, kind)


def _ne(name: str, op: str, value: Any) -> Callable[[Any], bool]:
    equal = _eq(name, op, value)
    return lambda stored: not equal(stored)


def _compare(name: str, op: str, value: Any) -> Callable[[Any], bool]:
    compare, kind = _COMPARE[op], kind_of(value, name, op)
    if kind == "number":
        return lambda stored: json_kind(stored) == "number" and compare(stored, value)
    if kind != "text":
        raise ValidationError(
            f"{name!r} {op}: expects a number or a string (ISO dates compare as dates), got {type(value).__name__}"
        )
    instant = _instant(value)
    if instant is None:
        return lambda stored: isinstance(stored, str) and compare(stored, value)

    def dates(stored: Any) -> bool:
        if not isinstance(stored, str) or not _STORED_DATE.match(stored):
            return False
        other = _instant(stored, strict=False)
        return other is not None and compare(other, instant)

    return dates


def _instant(value: str, *, strict: bool = True) -> datetime | None:
    """An ISO 8601 date(-time) as a naive UTC instant to the millisecond, or None if it is not one."""
    if strict and not _ISO_DATE.fullmatch(value):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        if strict:
            raise ValidationError(f"{value!r} looks like an ISO date but is not a valid one") from None
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000)


def _text(name: str, op: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{name!r} {op}: expects a string, got {type(value).__name__} {value!r}")
    return value


def _like(name: str, op: str, value: Any) -> Callable[[Any], bool]:
    fold = op == "ilike"
    pattern = _text(name, op, value)
    regex = re.compile(
        "".join(
            ".*" if c == "%" else "." if c == "_" else re.escape(c) for c in (pattern.casefold() if fold else pattern)
        ),
        re.DOTALL,
    )
    return lambda stored: isinstance(stored, str) and regex.fullmatch(stored.casefold() if fold else stored) is not None


def _starts_with(name: str, op: str, value: Any) -> Callable[[Any], bool]:
    prefix = _text(name, op, value)
    return lambda stored: isinstance(stored, str) and stored.startswith(prefix)


def _ends_with(name: str, op: str, value: Any) -> Callable[[Any], bool]:
    suffix = _text(name, op, value)
    return lambda stored: isinstance(stored, str) and stored.endswith(suffix)


def _contains(name: str, op: str, value: Any) -> Callable[[Any], bool]:
    kind = kind_of(value, name, op)
    if kind in ("array", "object"):
        raise ValidationError(f"{name!r} contains: expects a string or one array element value, got {kind}")

    def contains(stored: Any) -> bool:
        if isinstance(stored, list):
            return any(same(item, value, kind) for item in stored)
        return kind == "text" and isinstance(stored, str) and value in stored

    return contains


def _in(name: str, op: str, value: Any) -> Callable[[Any], bool]:
    if isinstance(value, str | bytes | dict) or not isinstance(value, Collection):
        raise ValidationError(
            f"{name!r} in: expects a list of values, e.g. {{'in': ['a', 'b']}}; got {type(value).__name__}"
        )
    if len(value) > 1000:
        raise ValidationError(f"{name!r} in: at most 1000 values, got {len(value)}")
    options = [(item, kind_of(item, name, op)) for item in value]
    for _, kind in options:
        if kind in ("array", "object"):
            raise ValidationError(f"{name!r} in: values must be strings, numbers, bools or None, got {kind}")
    return lambda stored: any(same(stored, item, kind) for item, kind in options)


def _is_null(name: str, op: str, value: Any) -> Callable[[Any], bool]:
    if not isinstance(value, bool):
        raise ValidationError(f"{name!r} is_null: expects True or False, got {type(value).__name__} {value!r}")
    return lambda stored: (stored is None or stored is MISSING) == value


def _has_key(name: str, op: str, value: Any) -> Callable[[Any], bool]:
    key = _text(name, op, value)
    if not key:
        raise ValidationError(f"{name!r} has_key: expects a non-empty key name")
    return lambda stored: isinstance(stored, dict) and key in stored


_OPERATORS: dict[str, Callable[[str, str, Any], Callable[[Any], bool]]] = {
    "eq": _eq,
    "ne": _ne,
    **dict.fromkeys(_COMPARE, _compare),
    "like": _like,
    "ilike": _like,
    "in": _in,
    "is_null": _is_null,
    "contains": _contains,
    "starts_with": _starts_with,
    "ends_with": _ends_with,
    "has_key": _has_key,
}
OPERATORS = tuple(sorted(_OPERATORS))
