"""token reset: the local owner's token, for connecting a client to this data dir."""

from __future__ import annotations

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, emit, open_host, run

token = typer.Typer(name="token", help="The local owner's token.", no_args_is_help=True)


@token.command("reset")
def reset(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Revoke the owner's tokens and print a new one (shown once)."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            issued = await host.credentials.reset_owner_token()
            emit({"token": issued.token}, as_json, issued.token)

    run(body)
