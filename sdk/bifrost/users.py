"""User management (platform admins; enforced by the platform)."""

from __future__ import annotations

import builtins
from typing import Any

from bifrost._runtime import platform
from bifrost.types import UserPublic


async def create(
    email: str, name: str, is_superuser: bool = False, org_id: str | None = None, is_active: bool = True
) -> UserPublic:
    """Create a user."""
    return await platform().users.create(email, name, is_superuser, org_id, is_active)


async def get(user_id: str) -> UserPublic | None:
    """A user by id, or None."""
    return await platform().users.get(user_id)


async def list(org_id: str | None = None) -> builtins.list[UserPublic]:
    """Users, optionally of one organization."""
    return await platform().users.list(org_id)


async def update(user_id: str, **updates: Any) -> UserPublic:
    """Update name, email, is_active, is_superuser or organization_id."""
    return await platform().users.update(user_id, updates)


async def delete(user_id: str) -> bool:
    """Soft-delete a user."""
    return await platform().users.delete(user_id)


__all__ = ["create", "delete", "get", "list", "update"]
