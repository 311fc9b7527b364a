"""integrations: define integrations, map them to organizations, and store their OAuth tokens (encrypted)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, emit, fail, open_host, run, table
from bifrost_mcp.cli.secrets import STDIN_MARKER, secret_value
from bifrost_mcp.data.integrations import IntegrationInfo, MappingInfo

RequiredOrgOpt = Annotated[str, typer.Option("--org", help="Organization id or unique name.")]
TokenUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--token-url",
        help='OAuth token endpoint; "{entity_id}" in it is replaced by the organization\'s entity id.',
    ),
]
ClientIdOpt = Annotated[str | None, typer.Option("--client-id", help="OAuth client id.")]
ClientSecretOpt = Annotated[
    str | None, typer.Option("--client-secret", help='OAuth client secret (encrypted); "-" reads it from stdin.')
]
ScopeOpt = Annotated[list[str] | None, typer.Option("--scope", help="OAuth scope (repeatable).")]
ConfigOpt = Annotated[list[str] | None, typer.Option("--config", help="Config entry KEY=VALUE, a string (repeatable).")]


def parse_config(entries: list[str] | None) -> dict[str, str] | None:
    """`--config k=v` entries as a dict (values are strings); None when none were given."""
    if not entries:
        return None
    result: dict[str, str] = {}
    for entry in entries:
        key, sep, value = entry.partition("=")
        if not sep or not key.strip():
            fail(f"--config {entry!r}: expected KEY=VALUE, e.g. --config base_url=https://api.example.com")
        result[key.strip()] = value
    return result


def parse_expires_at(text: str | None) -> datetime | None:
    """An ISO 8601 time; without a time zone it is taken as UTC."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--expires-at {text!r} is not an ISO 8601 time, e.g. 2030-01-01T12:00:00Z")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _one_from_stdin(**values: str | None) -> None:
    if sum(v == STDIN_MARKER for v in values.values()) > 1:
        fail(f"only one of {', '.join(values)} can be read from stdin (-)")


def _integrations_table(items: list[IntegrationInfo]) -> str:
    rows = [[i.name, i.token_url or "", i.client_id or "", i.client_secret or "", " ".join(i.scopes)] for i in items]
    return table(rows, ["NAME", "TOKEN URL", "CLIENT ID", "CLIENT SECRET", "SCOPES"])


def _mappings_table(items: list[MappingInfo]) -> str:
    rows = [
        [m.organization_id, m.entity_id or "", m.entity_name or "", m.access_token or "", m.expires_at or ""]
        for m in items
    ]
    return table(rows, ["ORGANIZATION", "ENTITY ID", "ENTITY NAME", "ACCESS TOKEN", "EXPIRES AT"])


integrations = typer.Typer(
    name="integrations",
    help="Integrations: OAuth clients and per-organization mappings and tokens. Secrets show as [SECRET].",
    no_args_is_help=True,
)


@integrations.command("create")
def create(
    name: str,
    token_url: TokenUrlOpt = None,
    client_id: ClientIdOpt = None,
    client_secret: ClientSecretOpt = None,
    scope: ScopeOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Define integration NAME, with its token endpoint, client credentials and default config."""
    secret = secret_value(client_secret, "--client-secret") if client_secret else None
    defaults = parse_config(config)

    async def body() -> None:
        async with open_host(data_dir) as host:
            info = await host.integrations.create(
                name, token_url=token_url, client_id=client_id, client_secret=secret, scopes=scope, config=defaults
            )
            emit(info, as_json, f"created integration {info.name} ({info.id})")

    run(body)


@integrations.command("update")
def update(
    name: str,
    token_url: TokenUrlOpt = None,
    client_id: ClientIdOpt = None,
    client_secret: ClientSecretOpt = None,
    scope: ScopeOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change the given fields of integration NAME; --config entries are merged into its defaults."""
    secret = secret_value(client_secret, "--client-secret") if client_secret else None
    defaults = parse_config(config)

    async def body() -> None:
        async with open_host(data_dir) as host:
            info = await host.integrations.update(
                name, token_url=token_url, client_id=client_id, client_secret=secret, scopes=scope, config=defaults
            )
            emit(info, as_json, f"updated integration {info.name}")

    run(body)


@integrations.command("list")
def list_(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """List integrations."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            items = await host.integrations.list()
            emit(items, as_json, lambda: _integrations_table(items))

    run(body)


@integrations.command("show")
def show(name: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Show integration NAME and its organization mappings."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            info = await host.integrations.get(name)
            mappings = await host.integrations.mappings(name)
            text = f"{_integrations_table([info])}\n\n{_mappings_table(mappings)}"
            emit({"integration": info, "mappings": mappings}, as_json, text)

    run(body)


@integrations.command("delete")
def delete(name: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Delete integration NAME with all its organization mappings and tokens."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            if not await host.integrations.delete(name):
                fail(f"no integration named {name!r}; see `bifrost-mcp integrations list`")
            emit({"name": name, "deleted": True}, as_json, f"deleted integration {name}")

    run(body)


@integrations.command("map")
def map_(
    name: str,
    org: RequiredOrgOpt,
    entity_id: Annotated[str | None, typer.Option("--entity-id", help="External tenant/company id.")] = None,
    entity_name: Annotated[str | None, typer.Option("--entity-name", help="Its display name.")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Map integration NAME to an organization (or update the mapping; --config entries are merged)."""
    entries = parse_config(config)

    async def body() -> None:
        async with open_host(data_dir) as host:
            found = await host.identity.resolve_org(org)
            mapping = await host.integrations.map(
                name, found.id, entity_id=entity_id, entity_name=entity_name, config=entries
            )
            emit(mapping, as_json, f"mapped {mapping.integration} to organization {found.name} ({found.id})")

    run(body)


@integrations.command("unmap")
def unmap(name: str, org: RequiredOrgOpt, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Remove the mapping (and tokens) of integration NAME for an organization."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            found = await host.identity.resolve_org(org)
            if not await host.integrations.unmap(name, found.id):
                fail(f"integration {name!r} is not mapped to organization {found.name}")
            emit({"name": name, "organization_id": found.id, "unmapped": True}, as_json, f"unmapped {name}")

    run(body)


@integrations.command("set-oauth")
def set_oauth(
    name: str,
    org: RequiredOrgOpt,
    access_token: Annotated[str, typer.Option("--access-token", help='Access token; "-" reads stdin.')],
    refresh_token: Annotated[
        str | None, typer.Option("--refresh-token", help='Refresh token; "-" reads stdin.')
    ] = None,
    expires_at: Annotated[
        str | None, typer.Option("--expires-at", help="When the access token expires, ISO 8601 (UTC if no zone).")
    ] = None,
    scope: ScopeOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store an organization's OAuth tokens for integration NAME (encrypted; refreshed automatically)."""
    _one_from_stdin(**{"--access-token": access_token, "--refresh-token": refresh_token})
    access = secret_value(access_token, "--access-token")
    refresh = secret_value(refresh_token, "--refresh-token") if refresh_token else None
    expires = parse_expires_at(expires_at)

    async def body() -> None:
        async with open_host(data_dir) as host:
            found = await host.identity.resolve_org(org)
            mapping = await host.integrations.set_oauth(
                name, found.id, access_token=access, refresh_token=refresh, expires_at=expires, scopes=scope
            )
            emit(mapping, as_json, f"stored OAuth tokens of {mapping.integration} for organization {found.name}")

    run(body)
