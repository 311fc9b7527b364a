"""Organizations, users, roles and forms in the embedded database. Soft deletes throughout."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from bifrost.errors import ValidationError
from bifrost.types import FormPublic, Organization, Role, UserPublic
from bifrost_mcp.errors import ConflictError, NotFoundError
from bifrost_mcp.identity._rows import new_id, now_iso, org_from, role_from, user_from
from bifrost_mcp.storage import Database

OWNER_EMAIL = "owner@localhost"
_ORG_FIELDS = {"name", "domain", "is_active"}
_USER_FIELDS = {"name", "email", "is_active", "is_superuser", "organization_id"}
_ROLE_FIELDS = {"name", "description", "is_active"}


def _updates(kind: str, updates: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    unknown = sorted(set(updates) - allowed)
    if unknown:
        raise ValidationError(
            f"cannot update {kind} field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    return {k: int(v) if isinstance(v, bool) else v for k, v in updates.items()}


class IdentityStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # organizations
    async def create_org(self, name: str, domain: str | None = None, is_active: bool = True) -> Organization:
        if not name.strip():
            raise ValidationError("organization name must not be empty")
        org_id = new_id()
        try:
            await self.db.execute(
                "INSERT INTO organizations (id, name, domain, is_active, created_at) VALUES (?, ?, ?, ?, ?)",
                (org_id, name.strip(), domain, int(is_active), now_iso()),
            )
        except sqlite3.IntegrityError as exc:
            raise ConflictError(f"an organization named {name!r} already exists") from exc
        return await self.get_org(org_id)

    async def get_org(self, org_id: str) -> Organization:
        row = await self.db.fetchone("SELECT * FROM organizations WHERE id = ? AND deleted_at IS NULL", (org_id,))
        if row is None:
            raise NotFoundError(f"no organization with id {org_id!r}")
        return org_from(row)

    async def resolve_org(self, ref: str) -> Organization:
        """An organization by id, or by its unique name (case-insensitive).

        Every request naming an organization (X-Bifrost-Org, a stdio session's --org) reads it, so it is two
        point reads on the id and live-name indexes (an OR of the two would scan); an id wins over a name.
        """
        rows = await self.db.lookup(
            "SELECT * FROM organizations WHERE id = ? AND deleted_at IS NULL UNION ALL "
            "SELECT * FROM organizations WHERE name = ? COLLATE NOCASE AND deleted_at IS NULL",
            (ref, ref),
        )
        if not rows:
            raise NotFoundError(f"no organization with id or name {ref!r}; see `bifrost-mcp orgs list`")
        return org_from(rows[0])

    async def list_orgs(self) -> list[Organization]:
        rows = await self.db.fetchall("SELECT * FROM organizations WHERE deleted_at IS NULL ORDER BY name, id")
        return [org_from(r) for r in rows]

    async def update_org(self, org_id: str, updates: dict[str, Any]) -> Organization:
        await self.get_org(org_id)
        values = _updates("organization", updates, _ORG_FIELDS)
        if values:
            assignments = ", ".join(f"{column} = ?" for column in values)
            await self.db.execute(f"UPDATE organizations SET {assignments} WHERE id = ?", (*values.values(), org_id))
        return await self.get_org(org_id)

    async def delete_org(self, org_id: str) -> bool:
        changed = await self.db.execute(
            "UPDATE organizations SET deleted_at = ?, is_active = 0 WHERE id = ? AND deleted_at IS NULL",
            (now_iso(), org_id),
        )
        return changed > 0

    # users
    async def create_user(
        self,
        email: str,
        name: str,
        *,
        org_id: str | None = None,
        is_superuser: bool = False,
        is_active: bool = True,
        is_owner: bool = False,
    ) -> UserPublic:
        if "@" not in email:
            raise ValidationError(f"{email!r} is not an email address")
        if org_id is not None:
            await self.get_org(org_id)
        user_id = new_id()
        try:
            await self.db.execute(
                "INSERT INTO users (id, email, name, organization_id, is_active, is_superuser, is_owner, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (user_id, email.strip(), name, org_id, int(is_active), int(is_superuser), int(is_owner), now_iso()),
            )
        except sqlite3.IntegrityError as exc:
            raise ConflictError(f"a user with email {email!r} already exists") from exc
        return await self.get_user(user_id)

    async def get_user(self, user_id: str) -> UserPublic:
        row = await self.db.fetchone("SELECT * FROM users WHERE id = ? AND deleted_at IS NULL", (user_id,))
        if row is None:
            raise NotFoundError(f"no user with id {user_id!r}")
        return user_from(row)

    async def get_user_by_email(self, email: str) -> UserPublic:
        row = await self.db.fetchone(
            "SELECT * FROM users WHERE email = ? COLLATE NOCASE AND deleted_at IS NULL", (email.strip(),)
        )
        if row is None:
            raise NotFoundError(f"no user with email {email!r}; see `bifrost-mcp users list`")
        return user_from(row)

    async def list_users(self, org_id: str | None = None) -> list[UserPublic]:
        if org_id is None:
            rows = await self.db.fetchall("SELECT * FROM users WHERE deleted_at IS NULL ORDER BY email")
        else:
            rows = await self.db.fetchall(
                "SELECT * FROM users WHERE deleted_at IS NULL AND organization_id = ? ORDER BY email", (org_id,)
            )
        return [user_from(r) for r in rows]

    async def update_user(self, user_id: str, updates: dict[str, Any]) -> UserPublic:
        await self.get_user(user_id)
        values = _updates("user", updates, _USER_FIELDS)
        if values.get("organization_id") is not None:
            await self.get_org(values["organization_id"])
        if values:
            assignments = ", ".join(f"{column} = ?" for column in values)
            await self.db.execute(f"UPDATE users SET {assignments} WHERE id = ?", (*values.values(), user_id))
        return await self.get_user(user_id)

    async def delete_user(self, user_id: str) -> bool:
        changed = await self.db.execute(
            "UPDATE users SET deleted_at = ?, is_active = 0 WHERE id = ? AND deleted_at IS NULL", (now_iso(), user_id)
        )
        return changed > 0

    async def ensure_owner(self) -> UserPublic:
        """The local owner account (platform admin, GLOBAL scope), created on first start."""
        row = await self.db.fetchone("SELECT * FROM users WHERE is_owner = 1 AND deleted_at IS NULL")
        if row is not None:
            return user_from(row)
        return await self.create_user(OWNER_EMAIL, "Local owner", is_superuser=True, is_owner=True)

    # roles
    async def create_role(self, org_id: str, name: str, description: str = "") -> Role:
        await self.get_org(org_id)
        role_id = new_id()
        try:
            await self.db.execute(
                "INSERT INTO roles (id, organization_id, name, description, created_at) VALUES (?, ?, ?, ?, ?)",
                (role_id, org_id, name.strip(), description, now_iso()),
            )
        except sqlite3.IntegrityError as exc:
            raise ConflictError(f"organization already has a role named {name!r}") from exc
        return await self.get_role(role_id)

    async def get_role(self, role_id: str, org_id: str | None = None) -> Role:
        row = await self.db.fetchone("SELECT * FROM roles WHERE id = ? AND deleted_at IS NULL", (role_id,))
        if row is None or (org_id is not None and row["organization_id"] != org_id):
            raise NotFoundError(f"no role with id {role_id!r}")
        return role_from(row)

    async def resolve_role(self, ref: str, org_id: str | None) -> Role:
        sql = "SELECT * FROM roles WHERE deleted_at IS NULL AND (id = ? OR name = ? COLLATE NOCASE)"
        params: tuple[Any, ...] = (ref, ref)
        if org_id is not None:
            sql += " AND organization_id = ?"
            params += (org_id,)
        rows = await self.db.fetchall(sql, params)
        if not rows:
            raise NotFoundError(f"no role {ref!r}" + ("" if org_id else "; pass --org to say which organization"))
        if len(rows) > 1:
            raise ValidationError(f"role name {ref!r} exists in several organizations; pass --org")
        return role_from(rows[0])

    async def list_roles(self, org_id: str | None = None) -> list[Role]:
        if org_id is None:
            rows = await self.db.fetchall("SELECT * FROM roles WHERE deleted_at IS NULL ORDER BY organization_id, name")
        else:
            rows = await self.db.fetchall(
                "SELECT * FROM roles WHERE deleted_at IS NULL AND organization_id = ? ORDER BY name", (org_id,)
            )
        return [role_from(r) for r in rows]

    async def update_role(self, role_id: str, updates: dict[str, Any], org_id: str | None = None) -> Role:
        await self.get_role(role_id, org_id)
        values = _updates("role", updates, _ROLE_FIELDS)
        if values:
            assignments = ", ".join(f"{column} = ?" for column in values)
            await self.db.execute(f"UPDATE roles SET {assignments} WHERE id = ?", (*values.values(), role_id))
        return await self.get_role(role_id)

    async def delete_role(self, role_id: str, org_id: str | None = None) -> None:
        await self.get_role(role_id, org_id)
        await self.db.execute("UPDATE roles SET deleted_at = ?, is_active = 0 WHERE id = ?", (now_iso(), role_id))

    async def assign_users(self, role_id: str, user_ids: list[str], org_id: str | None = None) -> None:
        role = await self.get_role(role_id, org_id)
        for user_id in user_ids:
            user = await self.get_user(user_id)
            if user.organization_id != role.organization_id:
                raise ValidationError(
                    f"user {user.email} is not in the role's organization; roles are per organization"
                )
        await self.db.executemany(
            "INSERT OR IGNORE INTO role_users (role_id, user_id) VALUES (?, ?)", [(role_id, u) for u in user_ids]
        )

    async def list_role_users(self, role_id: str, org_id: str | None = None) -> list[str]:
        await self.get_role(role_id, org_id)
        rows = await self.db.fetchall("SELECT user_id FROM role_users WHERE role_id = ? ORDER BY user_id", (role_id,))
        return [r["user_id"] for r in rows]

    async def assign_forms(self, role_id: str, form_ids: list[str], org_id: str | None = None) -> None:
        await self.get_role(role_id, org_id)
        for form_id in form_ids:
            await self.get_form(form_id)
        await self.db.executemany(
            "INSERT OR IGNORE INTO role_forms (role_id, form_id) VALUES (?, ?)", [(role_id, f) for f in form_ids]
        )

    async def list_role_forms(self, role_id: str, org_id: str | None = None) -> list[str]:
        await self.get_role(role_id, org_id)
        rows = await self.db.fetchall("SELECT form_id FROM role_forms WHERE role_id = ? ORDER BY form_id", (role_id,))
        return [r["form_id"] for r in rows]

    # forms
    async def create_form(
        self, name: str, *, org_id: str | None, description: str | None = None, workflow_id: str | None = None,
        form_schema: dict[str, Any] | None = None, access_level: str = "authenticated",
    ) -> FormPublic:  # fmt: skip
        form_id = new_id()
        await self.db.execute(
            "INSERT INTO forms (id, name, description, workflow_id, form_schema, access_level, organization_id, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (form_id, name, description, workflow_id, json.dumps(form_schema), access_level, org_id, now_iso()),
        )
        return await self.get_form(form_id)

    async def holds_form_role(self, user_id: str, form_id: str) -> bool:
        """Whether one of the user's roles is assigned the form."""
        rows = await self.db.fetchall(
            "SELECT 1 FROM role_forms rf JOIN role_users ru ON ru.role_id = rf.role_id "
            "JOIN roles r ON r.id = rf.role_id AND r.deleted_at IS NULL "  # a deleted role grants nothing
            "WHERE rf.form_id = ? AND ru.user_id = ? LIMIT 1",
            (form_id, user_id),
        )
        return bool(rows)

    async def get_form(self, form_id: str) -> FormPublic:
        row = await self.db.fetchone("SELECT * FROM forms WHERE id = ? AND deleted_at IS NULL", (form_id,))
        if row is None:
            raise NotFoundError(f"no form with id {form_id!r}")
        return _form_from(row)

    async def list_forms(self, org_id: str | None, *, include_global: bool = True) -> list[FormPublic]:
        rows = await self.db.fetchall(
            "SELECT * FROM forms WHERE deleted_at IS NULL AND is_active = 1 AND "
            "(organization_id IS ? OR (? AND organization_id IS NULL)) ORDER BY name",
            (org_id, int(include_global)),
        )
        return [_form_from(r) for r in rows]


def _form_from(row: sqlite3.Row) -> FormPublic:
    return FormPublic(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        workflow_id=row["workflow_id"],
        form_schema=json.loads(row["form_schema"]) if row["form_schema"] else None,
        access_level=row["access_level"],
        organization_id=row["organization_id"],
        is_active=bool(row["is_active"]),
    )
