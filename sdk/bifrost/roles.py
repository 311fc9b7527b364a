"""Roles of the caller's organization, with user and form assignments (admins; enforced by the platform)."""

from __future__ import annotations

import builtins

from bifrost.platform import call, returned, returned_list
from bifrost.types import Role


async def create(name: str, description: str = "") -> Role:
    """Create a role in the caller's organization."""
    return returned(Role, await call("roles.create", name=name, description=description))


async def get(role_id: str) -> Role:
    """A role by id."""
    return returned(Role, await call("roles.get", role_id=role_id))


async def list() -> builtins.list[Role]:
    """Roles of the caller's organization."""
    return returned_list(Role, await call("roles.list"))


async def update(role_id: str, **updates: object) -> Role:
    """Update name, description or is_active."""
    return returned(Role, await call("roles.update", role_id=role_id, updates=updates))


async def delete(role_id: str) -> None:
    """Soft-delete a role."""
    await call("roles.delete", role_id=role_id)


async def list_users(role_id: str) -> builtins.list[str]:
    """User ids assigned to the role."""
    return builtins.list(await call("roles.list_users", role_id=role_id))


async def list_forms(role_id: str) -> builtins.list[str]:
    """Form ids assigned to the role."""
    return builtins.list(await call("roles.list_forms", role_id=role_id))


async def assign_users(role_id: str, user_ids: builtins.list[str]) -> None:
    """Assign users to the role."""
    await call("roles.assign_users", role_id=role_id, user_ids=user_ids)


async def assign_forms(role_id: str, form_ids: builtins.list[str]) -> None:
    """Assign forms to the role."""
    await call("roles.assign_forms", role_id=role_id, form_ids=form_ids)


__all__ = [
    "assign_forms",
    "assign_users",
    "create",
    "delete",
    "get",
    "list",
    "list_forms",
    "list_users",
    "update",
]
