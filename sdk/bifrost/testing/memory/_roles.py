"""`roles` and `forms` in memory, with the host's rules (see _identity for the state and the rules they share)."""

from __future__ import annotations

import builtins
import uuid
from typing import Any

from bifrost.errors import NotFoundError, ValidationError
from bifrost.testing.memory._common import require_admin
from bifrost.testing.memory._identity import IdentityView, unique, updated
from bifrost.types import FormPublic, Role


class RolesView(IdentityView):
    def _org(self, action: str) -> str | None:
        require_admin(self.caller, f"roles.{action}")
        return self.caller.org_id

    async def create(self, name: str, description: str) -> Role:
        org_id = self._org("create")
        if org_id is None:
            raise ValidationError(
                "roles.create needs an organization: roles belong to one; act in it (X-Bifrost-Org header or --org)"
            )
        self.state.org(org_id)
        taken = [r.name for r in self.state.roles.values() if r.organization_id == org_id]
        unique(taken, name.strip(), f"organization already has a role named {name!r}")
        role = Role(id=str(uuid.uuid4()), name=name.strip(), description=description, organization_id=org_id)
        self.state.roles[role.id] = role
        return role.model_copy()

    async def get(self, role_id: str) -> Role:
        return self.state.role(role_id, self._org("get")).model_copy()

    async def list(self) -> builtins.list[Role]:
        org_id = self._org("list")
        roles = [r for r in self.state.roles.values() if org_id is None or r.organization_id == org_id]
        return [r.model_copy() for r in sorted(roles, key=lambda r: (r.organization_id, r.name))]

    async def update(self, role_id: str, updates: dict[str, Any]) -> Role:
        role = updated(
            "role", self.state.role(role_id, self._org("update")), updates, {"name", "description", "is_active"}
        )
        self.state.roles[role_id] = role
        return role.model_copy()

    async def delete(self, role_id: str) -> None:
        self.state.role(role_id, self._org("delete"))
        del self.state.roles[role_id]

    async def list_users(self, role_id: str) -> builtins.list[str]:
        self.state.role(role_id, self._org("list_users"))
        return sorted(self.state.role_users.get(role_id, set()))

    async def list_forms(self, role_id: str) -> builtins.list[str]:
        self.state.role(role_id, self._org("list_forms"))
        return sorted(self.state.role_forms.get(role_id, set()))

    async def assign_users(self, role_id: str, user_ids: builtins.list[str]) -> None:
        role = self.state.role(role_id, self._org("assign_users"))
        for user_id in user_ids:
            user = self.state.user(user_id)
            if user.organization_id != role.organization_id:
                raise ValidationError(
                    f"user {user.email} is not in the role's organization; roles are per organization"
                )
        self.state.role_users.setdefault(role_id, set()).update(user_ids)

    async def assign_forms(self, role_id: str, form_ids: builtins.list[str]) -> None:
        self.state.role(role_id, self._org("assign_forms"))
        for form_id in form_ids:
            self.state.form(form_id)
        self.state.role_forms.setdefault(role_id, set()).update(form_ids)


class FormsView(IdentityView):
    def _visible(self, form: FormPublic) -> bool:
        if self.caller.is_platform_admin:
            return True
        if form.organization_id not in (None, self.caller.org_id) or not form.is_active:
            return False
        if form.access_level == "role_based":
            return any(
                form.id in self.state.role_forms.get(role_id, set())
                and self.caller.user_id in self.state.role_users.get(role_id, set())
                for role_id in self.state.roles
            )
        return True

    async def list(self) -> builtins.list[FormPublic]:
        listed = [
            f
            for f in self.state.forms.values()
            if f.is_active and f.organization_id in (None, self.caller.org_id) and self._visible(f)
        ]
        return [f.model_copy(deep=True) for f in sorted(listed, key=lambda f: f.name)]

    async def get(self, form_id: str) -> FormPublic:
        form = self.state.forms.get(form_id)
        if form is None or not self._visible(form):
            raise NotFoundError(f"no form with id {form_id!r}")
        return form.model_copy(deep=True)
