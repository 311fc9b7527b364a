"""JSON and SQLite text for whatever a workflow hands the host: what they cannot carry is marked, never raised."""

from __future__ import annotations

import json
from typing import Any

CIRCULAR = "[circular reference]"
TOO_DEEP = "[nested too deeply]"
MAX_DEPTH = 64
_MAX_REPR = 200
_SCALARS = (str, int, float, bool, type(None))
# json.dumps with any option builds an encoder per call; one made once encodes the same text in about half the time
_PLAIN = json.JSONEncoder(default=str)


def sqlite_text(value: str) -> str:
    """`value` as text SQLite can store: lone surrogates (which UTF-8 cannot carry) as backslash escapes."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def unencodable(value: object) -> str:
    try:
        shown = repr(value)
    except Exception:  # a repr that raises still leaves the type to go by
        return f"[unencodable {type(value).__name__}]"
    if len(shown) > _MAX_REPR:
        shown = shown[:_MAX_REPR] + "..."
    return f"[unencodable {type(value).__name__}: {sqlite_text(shown)}]"


def jsonable(value: Any, *, _active: set[int] | None = None, _depth: int = 0) -> Any:
    """`value` with only what JSON can carry: other objects as their `str()` (as `default=str` did), else marked."""
    if isinstance(value, _SCALARS):
        return value
    if _depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict | list | tuple):
        active = _active if _active is not None else set()
        if id(value) in active:
            return CIRCULAR
        active.add(id(value))
        try:
            if isinstance(value, dict):
                return {_key(k): jsonable(v, _active=active, _depth=_depth + 1) for k, v in value.items()}
            return [jsonable(v, _active=active, _depth=_depth + 1) for v in value]
        finally:
            active.discard(id(value))
    try:
        return str(value)
    except Exception:
        return unencodable(value)


def _key(key: Any) -> str | int | float | bool | None:
    if isinstance(key, _SCALARS):
        return key
    try:
        return str(key)
    except Exception:
        return unencodable(key)


def to_json(value: Any) -> str:
    """JSON text for a column. The plain encoder first (nearly every value); the careful walk when it refuses."""
    try:
        return _PLAIN.encode(value)
    except Exception:
        return json.dumps(jsonable(value), default=unencodable)


def utf8_size(text: str) -> int:
    """Bytes of `text` in UTF-8 (lone surrogates counted as the escapes they are stored as)."""
    return len(text) if text.isascii() else len(sqlite_text(text).encode("utf-8"))
