"""orgs: create, list and deactivate organizations (acts directly on the data dir, as its operator)."""

from __future__ import annotations

from typing import Annotated

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, emit, open_host, run, table

orgs = typer.Typer(name="orgs", help="Organizations.", no_args_is_help=True)


@orgs.command("create")
def create(
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
def list_(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """List organizations."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            items = await host.identity.list_orgs()
            rows = [[o.id, o.name, o.domain or "", "active" if o.is_active else "deactivated"] for o in items]
            emit(items, as_json, lambda: table(rows, ["ID", "NAME", "DOMAIN", "STATUS"]))

    run(body)


@orgs.command("deactivate")
def deactivate(org: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Deactivate an organization: its users and keys are refused until reactivated."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            found = await host.identity.resolve_org(org)
            updated = await host.identity.update_org(found.id, {"is_active": False})
            emit(updated, as_json, f"deactivated organization {updated.name} ({updated.id})")

    run(body)
