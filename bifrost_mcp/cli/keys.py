"""keys: function keys, each acting for one organization or GLOBAL (acts directly on the data dir)."""

from __future__ import annotations

from typing import Annotated

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, OrgOpt, emit, fail, open_host, org_id_of, run, write_target
from bifrost_mcp.cli._credentials import list_credentials, revoke_credential

keys = typer.Typer(name="keys", help="Function keys (act for one organization or GLOBAL).", no_args_is_help=True)


@keys.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="What uses this key.")],
    org: OrgOpt = None,
    global_: Annotated[bool, typer.Option("--global", help="A GLOBAL-scope key.")] = False,
    global_write: Annotated[
        bool,
        typer.Option(
            "--global-write",
            help="Let this GLOBAL key write GLOBAL config, tables, files and knowledge, which every organization "
            "reads (default: it reads GLOBAL and writes nothing there).",
        ),
    ] = False,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue a function key for one organization (--org) or GLOBAL (--global); printed once."""
    write_target(org, global_, "a function key acts for one organization or GLOBAL")
    if global_write and not global_:
        fail("--global-write is for GLOBAL keys: pass --global with it (an organization's key writes its organization)")

    async def body() -> None:
        async with open_host(data_dir) as host:
            org_id = await org_id_of(host, org)
            issued = await host.credentials.create_function_key(org_id, name, global_write=global_write)
            emit({"id": issued.id, "token": issued.token}, as_json, f"key {issued.id}: {issued.token}")

    run(body)


@keys.command("list")
def list_(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """List function keys (never their values)."""
    list_credentials("function_key", data_dir, as_json)


@keys.command("revoke")
def revoke(cred_id: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Revoke a function key."""
    revoke_credential("function_key", cred_id, data_dir, as_json)
