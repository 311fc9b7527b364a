"""Configuration and secrets, scoped to the caller's organization with GLOBAL fallback on read."""

from __future__ import annotations

from typing import Any

from bifrost.platform import call


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key.strip():
        raise ValueError("config key must be a non-empty string")


async def get(key: str, default: Any = None) -> Any:
    """The organization's value for `key`, else the GLOBAL one, else `default`. Secrets come back decrypted."""
    _check_key(key)
    return await call("config.get", key=key, default=default)


async def set(key: str, value: Any, is_secret: bool = False) -> None:
    """Set `key` in the caller's scope; `is_secret=True` encrypts it at rest and redacts it everywhere."""
    _check_key(key)
    await call("config.set", key=key, value=value, is_secret=is_secret)


async def list() -> dict[str, Any]:
    """Every key visible to the caller (organization over GLOBAL); secrets shown as "[SECRET]"."""
    return dict(await call("config.list"))


async def delete(key: str) -> bool:
    """Delete `key` from the caller's scope; True if it existed."""
    _check_key(key)
    return bool(await call("config.delete", key=key))


__all__ = ["delete", "get", "list", "set"]
