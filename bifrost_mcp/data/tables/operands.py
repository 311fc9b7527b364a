"""Operand checks and conversions for the query compiler: what kind of value each operator received."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, Literal

from bifrost.errors import ValidationError

Kind = Literal["null", "bool", "number", "text", "array", "object"]

MAX_IN_VALUES = 1000
_INT64 = 2**63
_ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
)
# A stored string is only read as a date when it starts like one: julianday() would also accept
# 'now' or a bare number (a Julian day), which are not dates in a document.
STORED_DATE_GLOB = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"


def kind_of(value: Any, field: str, op: str) -> Kind:
    """The JSON kind of an operand, or a ValidationError naming the field and operator."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        if not -_INT64 <= value < _INT64:
            raise ValidationError(f"{field!r} {op}: {value} does not fit in a 64-bit integer")
        return "number"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(f"{field!r} {op}: {value} is not a finite number")
        return "number"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(f"{field!r} {op}: the string is not valid Unicode (lone surrogate)") from None
        return "text"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise ValidationError(
        f"{field!r} {op}: {type(value).__name__} is not a JSON value; use a string, number, bool, None or list"
    )


def iso_date(value: str) -> str | None:
    """`value` as canonical UTC 'YYYY-MM-DD HH:MM:SS.ffffff' if it is an ISO 8601 date(-time), else None.

    Naive times are UTC, as in SQLite's date functions.
    """
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} looks like an ISO date but is not a valid one") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%d %H:%M:%S.%f")


def in_values(value: Any, field: str) -> list[Any]:
    if isinstance(value, str | bytes | dict) or not isinstance(value, Collection):
        raise ValidationError(
            f"{field!r} in: expects a list of values, e.g. {{'in': ['a', 'b']}}; got {type(value).__name__}"
        )
    values = list(value)
    if len(values) > MAX_IN_VALUES:
        raise ValidationError(f"{field!r} in: at most {MAX_IN_VALUES} values, got {len(values)}")
    return values


def like_to_glob(pattern: str) -> str:
    """A LIKE pattern (% any run, _ one character) as a case-sensitive GLOB with the rest literal."""
    out: list[str] = []
    for char in pattern:
        if char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        elif char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)
