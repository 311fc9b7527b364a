"""Organization management (platform admins; enforced by the platform)."""

from __future__ import annotations

import builtins
from typing import Any

from bifrost.platform import call, returned, returned_list
from bifrost.types import Organization


async def create(name: str, domain: str | None = None, is_active: bool = True) -> Organization:
    """Create an organization."""
    org = await call("organizations.create", name=name, domain=domain, is_active=is_active)
    return returned(Organization, org)


async def get(org_id: str) -> Organization:
    """An organization by id."""
    return returned(Organization, await call("organizations.get", org_id=org_id))


async def list() -> builtins.list[Organization]:
    """Every organization."""
    return returned_list(Organization, await call("organizations.list"))


async def update(org_id: str, **updates: Any) -> Organization:
    """Update name, domain or is_active."""
    return returned(Organization, await call("organizations.update", org_id=org_id, updates=updates))


async def delete(org_id: str) -> bool:
    """Soft-delete an organization."""
    return bool(await call("organizations.delete", org_id=org_id))


__all__ = ["create", "delete", "get", "list", "update"]
