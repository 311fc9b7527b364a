"""`organizations`, `users`, `roles` and `forms` in memory, with the host's rules (bifrost_mcp/identity/).

- organizations, users and roles are for platform admins only (AccessDenied otherwise). Deletes are soft on
  the host; here a deleted object is gone the same way: get raises NotFoundError (users.get answers None),
  list leaves it out, a second delete answers False.
- Names of organizations and roles (per organization) and user emails are unique, case-insensitively.
- Roles belong to the organization the caller acts in; a platform admin in GLOBAL scope reaches every one.
- The caller's own organization exists, as it does on the host (it is added on first use).
- Forms are given to `InMemoryPlatform(forms=[...])`. A caller sees active forms of its organization and
  GLOBAL ones; a role_based form also needs a role holding it that is assigned the caller's user_id.
  Platform admins see every form by id, and list their organization's and GLOBAL ones.
"""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pydantic

from bifrost._context import ExecutionContext
from bifrost.errors import NotFoundError, ValidationError
from bifrost.testing.memory._common import require_admin
from bifrost.types import FormPublic, Organization, Role, UserPublic

M = TypeVar("M", bound=pydantic.BaseModel)


@dataclass
class IdentityState:
    organizations: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, UserPublic] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    role_users: dict[str, set[str]] = field(default_factory=dict)
    role_forms: dict[str, set[str]] = field(default_factory=dict)
    forms: dict[str, FormPublic] = field(default_factory=dict)

    def org(self, org_id: str) -> Organization:
        if org_id not in self.organizations:
            raise NotFoundError(f"no organization with id {org_id!r}")
        return self.organizations[org_id]

    def user(self, user_id: str) -> UserPublic:
        if user_id not in self.users:
            raise NotFoundError(f"no user with id {user_id!r}")
        return self.users[user_id]

    def role(self, role_id: str, org_id: str | None) -> Role:
        role = self.roles.get(role_id)
        if role is None or (org_id is not None and role.organization_id != org_id):
            raise NotFoundError(f"no role with id {role_id!r}")
        return role

    def form(self, form_id: str) -> FormPublic:
        if form_id not in self.forms:
            raise NotFoundError(f"no form with id {form_id!r}")
        return self.forms[form_id]


def updated(kind: str, model: M, updates: dict[str, Any], allowed: set[str]) -> M:
    unknown = sorted(set(updates) - allowed)
    if unknown:
        raise ValidationError(
            f"cannot update {kind} field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    try:
        return type(model).model_validate({**model.model_dump(), **updates})
    except pydantic.ValidationError as exc:
        raise ValidationError(f"invalid {kind} update: {exc.errors(include_url=False)}") from None


def unique(taken: builtins.list[str], value: str, message: str) -> None:
    if value.casefold() in (name.casefold() for name in taken):
        raise ValidationError(message)


class IdentityView:
    def __init__(self, state: IdentityState, caller: ExecutionContext) -> None:
        self.state, self.caller = state, caller
        org = caller.organization
        if org is not None and org.id not in state.organizations:
            state.organizations[org.id] = Organization.model_validate(org.model_dump())


class OrganizationsView(IdentityView):
    async def create(self, name: str, domain: str | None, is_active: bool) -> Organization:
        require_admin(self.caller, "organizations.create")
        if not name.strip():
            raise ValidationError("organization name must not be empty")
        taken = [org.name for org in self.state.organizations.values()]
        unique(taken, name.strip(), f"an organization named {name!r} already exists")
        org = Organization(id=str(uuid.uuid4()), name=name.strip(), domain=domain, is_active=is_active)
        self.state.organizations[org.id] = org
        return org.model_copy()

    async def get(self, org_id: str) -> Organization:
        require_admin(self.caller, "organizations.get")
        return self.state.org(org_id).model_copy()

    async def list(self) -> builtins.list[Organization]:
        require_admin(self.caller, "organizations.list")
        return [o.model_copy() for o in sorted(self.state.organizations.values(), key=lambda o: (o.name, o.id))]

    async def update(self, org_id: str, updates: dict[str, Any]) -> Organization:
        require_admin(self.caller, "organizations.update")
        org = updated("organization", self.state.org(org_id), updates, {"name", "domain", "is_active"})
        if "name" in updates:
            others = [o.name for o in self.state.organizations.values() if o.id != org_id]
            unique(others, org.name, f"an organization named {org.name!r} already exists")
        self.state.organizations[org_id] = org
        return org.model_copy()

    async def delete(self, org_id: str) -> bool:
        require_admin(self.caller, "organizations.delete")
        return self.state.organizations.pop(org_id, None) is not None


class UsersView(IdentityView):
    async def create(
        self, email: str, name: str, is_superuser: bool, org_id: str | None, is_active: bool
    ) -> UserPublic:
        require_admin(self.caller, "users.create")
        if "@" not in email:
            raise ValidationError(f"{email!r} is not an email address")
        if org_id is not None:
            self.state.org(org_id)
        unique(
            [u.email for u in self.state.users.values()], email.strip(), f"a user with email {email!r} already exists"
        )
        user = UserPublic(
            id=str(uuid.uuid4()),
            email=email.strip(),
            name=name,
            organization_id=org_id,
            is_active=is_active,
            is_superuser=is_superuser,
        )
        self.state.users[user.id] = user
        return user.model_copy()

    async def get(self, user_id: str) -> UserPublic | None:
        require_admin(self.caller, "users.get")
        user = self.state.users.get(user_id)
        return None if user is None else user.model_copy()

    async def list(self, org_id: str | None) -> builtins.list[UserPublic]:
        require_admin(self.caller, "users.list")
        users = [u for u in self.state.users.values() if org_id is None or u.organization_id == org_id]
        return [u.model_copy() for u in sorted(users, key=lambda u: u.email)]

    async def update(self, user_id: str, updates: dict[str, Any]) -> UserPublic:
        require_admin(self.caller, "users.update")
        allowed = {"name", "email", "is_active", "is_superuser", "organization_id"}
        user = updated("user", self.state.user(user_id), updates, allowed)
        if user.organization_id is not None and "organization_id" in updates:
            self.state.org(user.organization_id)
        if "email" in updates:
            others = [u.email for u in self.state.users.values() if u.id != user_id]
            unique(others, user.email, f"a user with email {user.email!r} already exists")
        self.state.users[user_id] = user
        return user.model_copy()

    async def delete(self, user_id: str) -> bool:
        require_admin(self.caller, "users.delete")
        return self.state.users.pop(user_id, None) is not None
