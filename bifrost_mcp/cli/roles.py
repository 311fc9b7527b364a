"""roles: create roles in an organization and assign users to them (acts directly on the data dir)."""

from __future__ import annotations

from typing import Annotated

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, OrgOpt, emit, open_host, org_id_of, run, table

roles = typer.Typer(name="roles", help="Roles per organization.", no_args_is_help=True)


@roles.command("create")
def create(
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
def assign(
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
def list_(org: OrgOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """List roles."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            org_id = await org_id_of(host, org)
            items = await host.identity.list_roles(org_id)
            rows = [[r.id, r.name, r.organization_id, r.description] for r in items]
            emit(items, as_json, lambda: table(rows, ["ID", "NAME", "ORG", "DESCRIPTION"]))

    run(body)
