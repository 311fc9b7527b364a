"""users: create, list and deactivate users (acts directly on the data dir, as its operator)."""

from __future__ import annotations

from typing import Annotated

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, OrgOpt, emit, open_host, org_id_of, run, table

users = typer.Typer(name="users", help="Users.", no_args_is_help=True)


@users.command("create")
def create(
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
def list_(org: OrgOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
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
def deactivate(email: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Deactivate a user: their tokens are refused until reactivated."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            user = await host.identity.get_user_by_email(email)
            updated = await host.identity.update_user(user.id, {"is_active": False})
            emit(updated, as_json, f"deactivated user {updated.email}")

    run(body)
