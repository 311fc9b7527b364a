"""User management (platform admins; enforced by the platform)."""

from __future__ import annotations

import builtins
from typing import Any

from bifrost.platform import call, returned, returned_list, returned_or_none
from bifrost.types import UserPublic


async def create(
    email: str, name: str, is_superuser: bool = False, org_id: str | None = None, is_active: bool = True
) -> UserPublic:
    """Create a user."""
    user = await call(
        "users.create", email=email, name=name, is_superuser=is_superuser, org_id=org_id, is_active=is_active
    )
    return returned(UserPublic, user)


async def get(user_id: str) -> UserPublic | None:
    """A user by id, or None."""
    return returned_or_none(UserPublic, await call("users.get", user_id=user_id))


async def list(org_id: str | None = None) -> builtins.list[UserPublic]:
    """Users, optionally of one organization."""
    return returned_list(UserPublic, await call("users.list", org_id=org_id))


async def update(user_id: str, **updates: Any) -> UserPublic:
    """Update name, email, is_active, is_superuser or organization_id."""
    return returned(UserPublic, await call("users.update", user_id=user_id, updates=updates))


async def delete(user_id: str) -> bool:
    """Soft-delete a user."""
    return bool(await call("users.delete", user_id=user_id))


__all__ = ["create", "delete", "get", "list", "update"]
