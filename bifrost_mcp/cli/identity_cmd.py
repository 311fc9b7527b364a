"""orgs, users, tokens, keys, roles: the admin CLI (acts directly on the data dir, as its operator)."""

from __future__ import annotations

from typing import Annotated

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, OrgOpt, emit, fail, open_host, org_id_of, run, table


def register(app: typer.Typer) -> None:
    orgs = typer.Typer(help="Organizations.", no_args_is_help=True)
    users = typer.Typer(help="Users.", no_args_is_help=True)
    tokens = typer.Typer(help="Personal access tokens (act as a user).", no_args_is_help=True)
    keys = typer.Typer(help="Function keys (act for one organization or GLOBAL).", no_args_is_help=True)
    roles = typer.Typer(help="Roles per organization.", no_args_is_help=True)
    for sub, name in ((orgs, "orgs"), (users, "users"), (tokens, "tokens"), (keys, "keys"), (roles, "roles")):
        app.add_typer(sub, name=name)

    @orgs.command("create")
    def orgs_create(
        name: str,
        domain: Annotated[str | None, typer.Option(help="Email domain.")] = None,
        data_dir: DataDirOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Create an organization."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                org = await host.identity.create_org(name, domain)
                emit(org, as_json, f"created organization {org.name} ({org.id})")

        run(body)

    @orgs.command("list")
    def orgs_list(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
        """List organizations."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                items = await host.identity.list_orgs()
                rows = [[o.id, o.name, o.domain or "", "active" if o.is_active else "deactivated"] for o in items]
                emit(items, as_json, lambda: table(rows, ["ID", "NAME", "DOMAIN", "STATUS"]))

        run(body)

    @orgs.command("deactivate")
    def orgs_deactivate(org: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
        """Deactivate an organization: its users and keys are refused until reactivated."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                found = await host.identity.resolve_org(org)
                updated = await host.identity.update_org(found.id, {"is_active": False})
                emit(updated, as_json, f"deactivated organization {updated.name} ({updated.id})")

        run(body)

    @users.command("create")
    def users_create(
        email: str,
        name: Annotated[str, typer.Option("--name", help="Display name.")],
        org: OrgOpt = None,
        platform_admin: Annotated[bool, typer.Option("--platform-admin", help="Platform administrator.")] = False,
        data_dir: DataDirOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Create a user (in an organization, or a platform admin without one)."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                org_id = await org_id_of(host, org)
                user = await host.identity.create_user(email, name, org_id=org_id, is_superuser=platform_admin)
                emit(user, as_json, f"created user {user.email} ({user.id})")

        run(body)

    @users.command("list")
    def users_list(org: OrgOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
        """List users."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                org_id = await org_id_of(host, org)
                items = await host.identity.list_users(org_id)
                rows = [
                    [u.id, u.email, u.name, u.organization_id or "-", "admin" if u.is_superuser else "",
                     "active" if u.is_active else "deactivated"]
                    for u in items
                ]  # fmt: skip
                emit(items, as_json, lambda: table(rows, ["ID", "EMAIL", "NAME", "ORG", "ADMIN", "STATUS"]))

        run(body)

    @users.command("deactivate")
    def users_deactivate(email: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
        """Deactivate a user: their tokens are refused until reactivated."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                user = await host.identity.get_user_by_email(email)
                updated = await host.identity.update_user(user.id, {"is_active": False})
                emit(updated, as_json, f"deactivated user {updated.email}")

        run(body)

    @tokens.command("create")
    def tokens_create(
        email: str,
        expires_days: Annotated[int | None, typer.Option("--expires-days", min=1)] = None,
        data_dir: DataDirOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Issue a personal access token for a user; printed once, stored only as a hash."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                user = await host.identity.get_user_by_email(email)
                issued = await host.credentials.create_token(user.id, expires_days=expires_days)
                emit({"id": issued.id, "token": issued.token}, as_json, f"token {issued.id}: {issued.token}")

        run(body)

    @keys.command("create")
    def keys_create(
        name: Annotated[str, typer.Option("--name", help="What uses this key.")],
        org: OrgOpt = None,
        global_: Annotated[bool, typer.Option("--global", help="A GLOBAL-scope key.")] = False,
        data_dir: DataDirOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Issue a function key for one organization (--org) or GLOBAL (--global); printed once."""
        if bool(org) == global_:
            fail("pass exactly one of --org ORG or --global")

        async def body() -> None:
            async with open_host(data_dir) as host:
                org_id = await org_id_of(host, org)
                issued = await host.credentials.create_function_key(org_id, name)
                emit({"id": issued.id, "token": issued.token}, as_json, f"key {issued.id}: {issued.token}")

        run(body)

    for group, kind in ((tokens, "token"), (keys, "function_key")):
        _credential_commands(group, kind)

    @roles.command("create")
    def roles_create(
        name: str,
        org: Annotated[str, typer.Option("--org", help="Organization id or unique name.")],
        description: str = "",
        data_dir: DataDirOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Create a role in an organization."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                found = await host.identity.resolve_org(org)
                role = await host.identity.create_role(found.id, name, description)
                emit(role, as_json, f"created role {role.name} ({role.id}) in {found.name}")

        run(body)

    @roles.command("assign")
    def roles_assign(
        role: str,
        users_: Annotated[list[str], typer.Option("--users", help="User emails (repeatable).")],
        org: OrgOpt = None,
        data_dir: DataDirOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Assign users (by email) to a role."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                org_id = await org_id_of(host, org)
                found = await host.identity.resolve_role(role, org_id)
                ids = [(await host.identity.get_user_by_email(e)).id for e in users_]
                await host.identity.assign_users(found.id, ids)
                members = await host.identity.list_role_users(found.id)
                emit({"id": found.id, "role": found.name, "user_ids": members}, as_json,
                     f"role {found.name} now has {len(members)} user(s)")  # fmt: skip

        run(body)

    @roles.command("list")
    def roles_list(org: OrgOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
        """List roles."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                org_id = await org_id_of(host, org)
                items = await host.identity.list_roles(org_id)
                rows = [[r.id, r.name, r.organization_id, r.description] for r in items]
                emit(items, as_json, lambda: table(rows, ["ID", "NAME", "ORG", "DESCRIPTION"]))

        run(body)


def _credential_commands(group: typer.Typer, kind: str) -> None:
    label = "token" if kind == "token" else "function key"

    @group.command("list")
    def list_(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
        async def body() -> None:
            async with open_host(data_dir) as host:
                items = await host.credentials.list(kind)  # type: ignore[arg-type]
                rows = [
                    [c.id, c.name, c.user_email or c.organization_id or "GLOBAL", c.expires_at or "-",
                     "revoked" if c.revoked_at else "active", c.last_used_at or "-"]
                    for c in items
                ]  # fmt: skip
                emit(items, as_json, lambda: table(rows, ["ID", "NAME", "FOR", "EXPIRES", "STATUS", "LAST USED"]))

        run(body)

    list_.__doc__ = f"List {label}s (never their values)."

    @group.command("revoke")
    def revoke(cred_id: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
        async def body() -> None:
            async with open_host(data_dir) as host:
                await host.credentials.revoke(cred_id, kind)  # type: ignore[arg-type]
                emit({"id": cred_id, "revoked": True}, as_json, f"revoked {label} {cred_id}")

        run(body)

    revoke.__doc__ = f"Revoke a {label}."
