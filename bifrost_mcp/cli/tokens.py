"""tokens: personal access tokens, each acting as one user (acts directly on the data dir, as its operator)."""

from __future__ import annotations

from typing import Annotated

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, emit, open_host, run
from bifrost_mcp.cli._credentials import list_credentials, revoke_credential

tokens = typer.Typer(name="tokens", help="Personal access tokens (act as a user).", no_args_is_help=True)


@tokens.command("create")
def create(
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


@tokens.command("list")
def list_(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """List tokens (never their values)."""
    list_credentials("token", data_dir, as_json)


@tokens.command("revoke")
def revoke(cred_id: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Revoke a token."""
    revoke_credential("token", cred_id, data_dir, as_json)
