"""`bifrost.organizations`, `users`, `roles` and `forms` for one caller, over the identity store; the gate decides."""

from __future__ import annotations

import builtins
from typing import Any

from bifrost.types import FormPublic, Organization, Role, UserPublic
from bifrost_mcp import access
from bifrost_mcp.caller import Caller
from bifrost_mcp.errors import NotFoundError, ValidationError
from bifrost_mcp.identity.store import IdentityStore


class OrganizationsView:
    def __init__(self, store: IdentityStore, caller: Caller) -> None:
        self.store, self.caller = store, caller

    async def create(self, name: str, domain: str | None, is_active: bool) -> Organization:
        access.require_admin(self.caller, "organizations.create")
        return await self.store.create_org(name, domain, is_active)

    async def get(self, org_id: str) -> Organization:
        access.require_admin(self.caller, "organizations.get")
        return await self.store.get_org(org_id)

    async def list(self) -> builtins.list[Organization]:
        access.require_admin(self.caller, "organizations.list")
        return await self.store.list_orgs()

    async def update(self, org_id: str, updates: dict[str, Any]) -> Organization:
        access.require_admin(self.caller, "organizations.update")
        return await self.store.update_org(org_id, updates)

    async def delete(self, org_id: str) -> bool:
        access.require_admin(self.caller, "organizations.delete")
        return await self.store.delete_org(org_id)


class UsersView:
    def __init__(self, store: IdentityStore, caller: Caller) -> None:
        self.store, self.caller = store, caller

    async def create(
        self, email: str, name: str, is_superuser: bool, org_id: str | None, is_active: bool
    ) -> UserPublic:
        access.require_admin(self.caller, "users.create")
        return await self.store.create_user(email, name, org_id=org_id, is_superuser=is_superuser, is_active=is_active)

    async def get(self, user_id: str) -> UserPublic | None:
        access.require_admin(self.caller, "users.get")
        try:
            return await self.store.get_user(user_id)
        except NotFoundError:
            return None

    async def list(self, org_id: str | None) -> builtins.list[UserPublic]:
        access.require_admin(self.caller, "users.list")
        return await self.store.list_users(org_id)

    async def update(self, user_id: str, updates: dict[str, Any]) -> UserPublic:
        access.require_admin(self.caller, "users.update")
        return await self.store.update_user(user_id, updates)

    async def delete(self, user_id: str) -> bool:
        access.require_admin(self.caller, "users.delete")
        return await self.store.delete_user(user_id)


class RolesView:
    """Roles of the organization the caller acts in; a platform admin in GLOBAL scope sees every organization's."""

    def __init__(self, store: IdentityStore, caller: Caller) -> None:
        self.store, self.caller = store, caller

    def _org(self, action: str) -> str | None:
        access.require_admin(self.caller, f"roles.{action}")
        return self.caller.org_id

    def _org_required(self, action: str) -> str:
        org_id = self._org(action)
        if org_id is None:
            raise ValidationError(
                f"roles.{action} needs an organization: roles belong to one; act in it (X-Bifrost-Org header or --org)"
            )
        return org_id

    async def create(self, name: str, description: str) -> Role:
        return await self.store.create_role(self._org_required("create"), name, description)

    async def get(self, role_id: str) -> Role:
        return await self.store.get_role(role_id, self._org("get"))

    async def list(self) -> builtins.list[Role]:
        return await self.store.list_roles(self._org("list"))

    async def update(self, role_id: str, updates: dict[str, Any]) -> Role:
        return await self.store.update_role(role_id, updates, self._org("update"))

    async def delete(self, role_id: str) -> None:
        await self.store.delete_role(role_id, self._org("delete"))

    async def list_users(self, role_id: str) -> builtins.list[str]:
        return await self.store.list_role_users(role_id, self._org("list_users"))

    async def list_forms(self, role_id: str) -> builtins.list[str]:
        return await self.store.list_role_forms(role_id, self._org("list_forms"))

    async def assign_users(self, role_id: str, user_ids: builtins.list[str]) -> None:
        await self.store.assign_users(role_id, user_ids, self._org("assign_users"))

    async def assign_forms(self, role_id: str, form_ids: builtins.list[str]) -> None:
        await self.store.assign_forms(role_id, form_ids, self._org("assign_forms"))


class FormsView:
    """Forms of the caller's organization and GLOBAL ones; role-based forms need an assigned role."""

    def __init__(self, store: IdentityStore, caller: Caller) -> None:
        self.store, self.caller = store, caller

    async def _visible(self, form: FormPublic) -> bool:
        async def holds_form_role() -> bool:
            return await self.store.holds_form_role(self.caller.user_id, form.id)

        return await access.can_see_form(self.caller, form, holds_form_role)

    async def list(self) -> builtins.list[FormPublic]:
        return [f for f in await self.store.list_forms(self.caller.org_id) if await self._visible(f)]

    async def get(self, form_id: str) -> FormPublic:
        form = await self.store.get_form(form_id)
        if not await self._visible(form):
            raise NotFoundError(f"no form with id {form_id!r}")
        return form
