"""What every in-memory domain shares: the host's access rules, name checks, JSON copies and a clock.

The access rules are the host's (bifrost_mcp/access.py), restated here because the SDK never imports the host.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bifrost._context import GLOBAL_SCOPE, ExecutionContext
from bifrost._scopes import global_write_refused
from bifrost.errors import AccessDenied, ValidationError

MAX_NAME_LENGTH = 255


def resolve_scope(caller: ExecutionContext, requested: str | None) -> str:
    """The scope a call acts on: the caller's own, unless a platform admin names another."""
    if requested is None or requested == caller.scope:
        return caller.scope
    if caller.is_platform_admin:
        return requested
    raise AccessDenied(
        f"scope {requested!r} is not yours: only platform admins may act in another organization's scope"
    )


def writable_scope(caller: ExecutionContext, requested: str | None = None) -> str:
    """The scope a write (config, tables, files, knowledge) acts on; GLOBAL, which everyone reads, for admins only.

    A function key is refused too: the host lets only GLOBAL keys created with --global-write write there, a
    grant an ExecutionContext does not carry.
    """
    scope = resolve_scope(caller, requested)
    if scope != GLOBAL_SCOPE or caller.is_platform_admin:
        return scope
    raise global_write_refused(is_function_key=caller.is_function_key, name=caller.name, email=caller.email)


def readable_scopes(scope: str) -> tuple[str, ...]:
    """Scopes a read falls back through: the organization first, then GLOBAL."""
    return (scope,) if scope == GLOBAL_SCOPE else (scope, GLOBAL_SCOPE)


def require_admin(caller: ExecutionContext, action: str) -> None:
    if not caller.is_platform_admin:
        raise AccessDenied(f"{action} requires a platform admin; ask one to do it or to grant you the role")


def check_name(value: object, what: str, max_length: int = MAX_NAME_LENGTH) -> str:
    """A table, app or document name as the host accepts it, or a ValidationError naming the rule."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{what} must be a non-empty string, got {value!r}")
    if len(value) > max_length:
        raise ValidationError(f"{what} {value[:40]!r}... is longer than {max_length} characters")
    if any(ord(char) < 32 or char == "\x7f" for char in value):
        raise ValidationError(f"{what} {value!r} contains a control character")
    return value


def json_copy(value: Any, what: str) -> Any:
    """`value` as the host stores it: through JSON, so tuples become lists and nothing is shared with the caller."""
    try:
        stored = json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"{what} is not JSON-serializable: {exc}; convert it (e.g. datetime.isoformat())"
        ) from None
    if stored != value:
        _check_keys(value, what)
    return stored


def _check_keys(value: Any, what: str) -> None:
    """json.dumps silently turns the key 1 into "1"; the host refuses it."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError(
                    f"{what}: key {key!r} is a {type(key).__name__}; JSON object keys must be strings"
                )
            _check_keys(item, what)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_keys(item, what)


class Clock:
    """UTC timestamps that strictly increase, so "ordered by created_at" is insertion order even within a tick."""

    def __init__(self) -> None:
        self._last = datetime.min.replace(tzinfo=UTC)

    def now(self) -> datetime:
        moment = datetime.now(UTC)
        self._last = moment if moment > self._last else self._last + timedelta(microseconds=1)
        return self._last
