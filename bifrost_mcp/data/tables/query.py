"""The `where` compiler: a query dict becomes an SQL condition with every value a bound parameter.

Semantics (the spec lists the operators; the rest are decisions written down here):

- `{"f": value}` is equality (`{"f": {"eq": value}}` is the explicit form). A dict value is always an
  operator dict (`{"gt": 1}`); an unknown key is an error, so a typo never silently becomes "equal to
  this object". Whole objects are not compared (use dotted paths); lists compare as exact arrays.
- Types are strict: 100 matches the number 100 (or 100.0), never the string "100" or `true`. `None`
  equality means "is null", and a missing field counts as null.
- gt/gte/lt/lte: a number compares numbers only (99.5 < 100 < 1200); an ISO 8601 date or date-time string
  compares stored ISO strings as instants (UTC when naive; Z and ±HH:MM offsets honoured; millisecond
  precision); any other string compares strings by code point.
- like is case-sensitive, ilike case-insensitive (Unicode case folding); `%` is any run, `_` one
  character, nothing else is special. starts_with / ends_with / contains take their operand literally.
- contains: substring of a string field, or membership in an array field. has_key: the object at the
  field has that key. ne: true when the field is missing, null, or different (the complement of eq).
- `in` with an empty list matches nothing. Several operators on one field, and several fields, AND.
- Fields are dotted paths into nested objects (data fields only; `id`/`created_at`/`updated_at` are
  metadata for order_by); see paths.py for how they are quoted.
- order_by: null and missing values last in both directions; SQLite's type order otherwise (numbers,
  by value, before strings); ties broken by id in the same direction. Default: created_at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bifrost.errors import ValidationError
from bifrost_mcp.data.tables.codec import encode_json
from bifrost_mcp.data.tables.operands import (
    STORED_DATE_GLOB,
    in_values,
    iso_date,
    kind_of,
    like_to_glob,
)
from bifrost_mcp.data.tables.paths import (
    NUMBER_TYPES,
    TEXT,
    check_key,
    json_path,
    order_expr,
    parse_field,
    sql_literal,
    type_expr,
    value_expr,
)

CASEFOLD_FUNCTION = "bifrost_casefold"
_COMPARISONS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_BOOL_TYPE = {True: "'true'", False: "'false'"}


@dataclass(slots=True)
class Condition:
    """An SQL boolean expression over `data` ("1" when there is no filter) and its parameters in order."""

    sql: str = "1"
    params: list[Any] = field(default_factory=list)
    uses_casefold: bool = False


class _Builder:
    def __init__(self) -> None:
        self.params: list[Any] = []
        self.uses_casefold = False

    def bind(self, *values: Any) -> str:
        self.params.extend(values)
        return ", ".join("?" for _ in values)


def compile_where(where: dict[str, Any] | None) -> Condition:
    """Compile `where`, or raise ValidationError naming the field, operator and what to write instead."""
    if where is None:
        return Condition()
    if not isinstance(where, dict):
        raise ValidationError(f"where must be a dict of field -> value or operators, got {type(where).__name__}")
    builder = _Builder()
    terms: list[str] = []
    for name, operand in where.items():
        keys = parse_field(name)
        if isinstance(operand, dict):
            if not operand:
                raise ValidationError(f"{name!r}: empty operator dict; e.g. {{'gte': 10}} or a plain value")
            for op, value in operand.items():
                terms.append(_operator(builder, keys, name, op, value))
        else:
            terms.append(_eq(builder, keys, name, "eq", operand))
    if not terms:
        return Condition()
    return Condition(" AND ".join(f"({t})" for t in terms), builder.params, builder.uses_casefold)


def _operator(b: _Builder, keys: tuple[str, ...], name: str, op: object, value: Any) -> str:
    handler = _OPERATORS.get(op) if isinstance(op, str) else None
    if handler is None:
        raise ValidationError(
            f"unknown operator {op!r} on field {name!r}; valid operators: {', '.join(sorted(_OPERATORS))} "
            "(to match a nested object's fields, use dotted paths such as 'address.city')"
        )
    return handler(b, keys, name, str(op), value)


def _eq(b: _Builder, keys: tuple[str, ...], name: str, op: str, value: Any) -> str:
    v, t = value_expr(keys), type_expr(keys)
    kind = kind_of(value, name, op)
    if kind == "null":
        return f"{v} IS NULL"
    if kind == "bool":
        return f"{v} = {b.bind(1 if value else 0)} AND {t} = {_BOOL_TYPE[bool(value)]}"
    if kind == "number":
        return f"{v} = {b.bind(value)} AND {t} IN {NUMBER_TYPES}"
    if kind == "text":
        return f"{v} = {b.bind(value)} AND {t} = {TEXT}"
    if kind == "array":
        return f"{t} = 'array' AND {v} = json({b.bind(encode_json(list(value), f'{name!r} {op} operand'))})"
    raise ValidationError(
        f"{name!r} {op}: comparing a whole object is not supported; compare its fields with dotted paths, "
        f"e.g. {{'{name}.key': value}}"
    )


def _ne(b: _Builder, keys: tuple[str, ...], name: str, op: str, value: Any) -> str:
    if value is None:
        return f"{value_expr(keys)} IS NOT NULL"
    return f"NOT IFNULL(({_eq(b, keys, name, op, value)}), 0)"


def _compare(b: _Builder, keys: tuple[str, ...], name: str, op: str, value: Any) -> str:
    v, t, sym = value_expr(keys), type_expr(keys), _COMPARISONS[op]
    kind = kind_of(value, name, op)
    if kind == "number":
        return f"{v} {sym} {b.bind(value)} AND {t} IN {NUMBER_TYPES}"
    if kind == "text":
        instant = iso_date(value)
        if instant is not None:
            return f"{t} = {TEXT} AND {v} GLOB {STORED_DATE_GLOB} AND julianday({v}) {sym} julianday({b.bind(instant)})"
        return f"{v} {sym} {b.bind(value)} AND {t} = {TEXT}"
    raise ValidationError(
        f"{name!r} {op}: expects a number or a string (ISO dates compare as dates), got {type(value).__name__}"
    )


def _text_operand(name: str, op: str, value: Any) -> str:
    if kind_of(value, name, op) != "text":
        raise ValidationError(f"{name!r} {op}: expects a string, got {type(value).__name__} {value!r}")
    text: str = value
    return text


def _like(b: _Builder, keys: tuple[str, ...], name: str, op: str, value: Any) -> str:
    pattern = like_to_glob(_text_operand(name, op, value))
    return f"{type_expr(keys)} = {TEXT} AND {value_expr(keys)} GLOB {b.bind(pattern)}"


def _ilike(b: _Builder, keys: tuple[str, ...], name: str, op: str, value: Any) -> str:
    pattern = like_to_glob(_text_operand(name, op, value).casefold())
    b.uses_casefold = True
    return f"{type_expr(keys)} = {TEXT} AND {CASEFOLD_FUNCTION}({value_expr(keys)}) GLOB {b.bind(pattern)}"


def _starts_with(b: _Builder, keys: tuple[str, ...], name: str, op: str, value: Any) -> str:
    prefix = _text_operand(name, op, value)
    return f"{type_expr(keys)} = {TEXT} AND substr({value_expr(keys)}, 1, {b.bind(len(prefix))}) = {b.bind(prefix)}"


def _ends_with(b: _Builder, keys: tuple[str, ...], name: str, op: str, value: Any) -> str:
    suffix = _text_operand(name, op, value)
    if not suffix:
        return f"{type_expr(keys)} = {TEXT}"
    return f"{type_expr(keys)} = {TEXT} AND substr({value_expr(keys)}, {b.bind(-len(suffix))}) = {b.bind(suffix)}"


def _contains(b: _Builder, keys: tuple[str, ...], name: str, op: str, value: Any) -> str:
    v, t = value_expr(keys), type_expr(keys)
    kind = kind_of(value, name, op)
    if kind in ("array", "object"):
        raise ValidationError(f"{name!r} contains: expects a string or one array element value, got {kind}")
    member = _element_match(b, kind, value)
    in_array = f"EXISTS (SELECT 1 FROM json_each(data, {sql_literal(json_path(keys))}) WHERE {member})"
    if kind == "text":
        return f"CASE {t} WHEN {TEXT} THEN instr({v}, {b.bind(value)}) > 0 WHEN 'array' THEN {in_array} ELSE 0 END"
    return f"{t} = 'array' AND {in_array}"


def _element_match(b: _Builder, kind: str, value: Any) -> str:
    """A json_each row (columns `type`, `value`) equal to a scalar operand."""
    if kind == "null":
        return "type = 'null'"
    if kind == "bool":
        return f"type = {_BOOL_TYPE[bool(value)]}"
    if kind == "number":
        return f"type IN {NUMBER_TYPES} AND value = {b.bind(value)}"
    return f"type = {TEXT} AND value = {b.bind(value)}"


def _in(b: _Builder, keys: tuple[str, ...], name: str, op: str, value: Any) -> str:
    v, t = value_expr(keys), type_expr(keys)
    groups: dict[str, list[Any]] = {"text": [], "number": [], "bool": [], "null": []}
    for item in in_values(value, name):
        kind = kind_of(item, name, op)
        if kind not in groups:
            raise ValidationError(f"{name!r} in: values must be strings, numbers, bools or None, got {kind}")
        groups[kind].append(item)
    parts: list[str] = []
    if groups["text"]:
        parts.append(f"{v} IN ({b.bind(*groups['text'])}) AND {t} = {TEXT}")
    if groups["number"]:
        parts.append(f"{v} IN ({b.bind(*groups['number'])}) AND {t} IN {NUMBER_TYPES}")
    parts.extend(f"{t} = {_BOOL_TYPE[flag]}" for flag in sorted(set(groups["bool"])))
    if groups["null"]:
        parts.append(f"{v} IS NULL")
    return " OR ".join(f"({p})" for p in parts) if parts else "0"


def _is_null(b: _Builder, keys: tuple[str, ...], name: str, op: str, value: Any) -> str:
    if not isinstance(value, bool):
        raise ValidationError(f"{name!r} is_null: expects True or False, got {type(value).__name__} {value!r}")
    return f"{value_expr(keys)} IS {'' if value else 'NOT '}NULL"


def _has_key(b: _Builder, keys: tuple[str, ...], name: str, op: str, value: Any) -> str:
    key = _text_operand(name, op, value)
    if not key:
        raise ValidationError(f"{name!r} has_key: expects a non-empty key name")
    # The operand is one key, not a path: a dot in it is part of the key.
    check_key(key, key, what=f"{name!r} has_key operand")
    return f"{type_expr((*keys, key))} IS NOT NULL"


_Handler = Callable[[_Builder, tuple[str, ...], str, str, Any], str]
_OPERATORS: dict[str, _Handler] = {
    "eq": _eq,
    "ne": _ne,
    **dict.fromkeys(_COMPARISONS, _compare),
    "like": _like,
    "ilike": _ilike,
    "in": _in,
    "is_null": _is_null,
    "contains": _contains,
    "starts_with": _starts_with,
    "ends_with": _ends_with,
    "has_key": _has_key,
}
OPERATORS = tuple(sorted(_OPERATORS))


def compile_order(order_by: str | None, order_dir: str) -> str:
    """ORDER BY text: created_at by default; data fields with null/missing last; ties broken by id."""
    if order_dir not in ("asc", "desc"):
        raise ValidationError(f"order_dir must be 'asc' or 'desc', got {order_dir!r}")
    direction = order_dir.upper()
    expr, nullable = order_expr(order_by or "created_at")
    if expr == "id":
        return f"id {direction}"
    nulls_last = f"({expr}) IS NULL, " if nullable else ""
    return f"{nulls_last}{expr} {direction}, id {direction}"
