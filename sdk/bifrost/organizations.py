"""Organization management (platform admins; enforced by the platform)."""

from __future__ import annotations

import builtins
from typing import Any

from bifrost._runtime import platform
from bifrost.types import Organization


async def create(name: str, domain: str | None = None, is_active: bool = True) -> Organization:
    """Create an organization."""
    return await platform().organizations.create(name, domain, is_active)


async def get(org_id: str) -> Organization:
    """An organization by id."""
    return await platform().organizations.get(org_id)


async def list() -> builtins.list[Organization]:
    """Every organization."""
    return await platform().organizations.list()


async def update(org_id: str, **updates: Any) -> Organization:
    """Update name, domain or is_active."""
    return await platform().organizations.update(org_id, updates)


async def delete(org_id: str) -> bool:
    """Soft-delete an organization."""
    return await platform().organizations.delete(org_id)


__all__ = ["create", "delete", "get", "list", "update"]
