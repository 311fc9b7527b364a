"""config: values and secrets of GLOBAL (--global) or of one organization (--org), as the platform operator.

Whoever holds the data dir operates the platform (like the superuser CLI of the original platform): no token
is asked. Writes name their target; reads default to GLOBAL.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

from bifrost.errors import ValidationError
from bifrost.platform import GLOBAL_SCOPE
from bifrost.types import ConfigData
from bifrost_mcp.cli._common import (
    DataDirOpt,
    GlobalOpt,
    JsonOpt,
    OrgOpt,
    emit,
    fail,
    open_host,
    run,
    table,
    write_target,
)
from bifrost_mcp.cli.secrets import secret_value
from bifrost_mcp.data.config import ConfigStore
from bifrost_mcp.host import Host

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class ValueType(StrEnum):
    """How `config set` reads VALUE."""

    STRING = "string"
    INT = "int"
    BOOL = "bool"
    JSON = "json"


def parse_value(text: str, kind: ValueType) -> Any:
    """VALUE as the requested type; a ValueError that says what to pass otherwise."""
    if kind is ValueType.INT:
        try:
            return int(text)
        except ValueError:
            raise ValidationError(f"--type int needs an integer VALUE, got {text!r}") from None
    if kind is ValueType.BOOL:
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise ValidationError(f"--type bool needs true or false as VALUE, got {text!r}")
    if kind is ValueType.JSON:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValidationError(
                f"--type json needs a JSON VALUE (e.g. '{{\"a\": 1}}', '[1, 2]', '1.5'): {exc}"
            ) from None
    return text


async def _scope(host: Host, org: str | None) -> tuple[str, str]:
    """The scope id and a label for messages."""
    if org is None:
        return GLOBAL_SCOPE, "GLOBAL"
    found = await host.identity.resolve_org(org)
    return found.id, f"organization {found.name} ({found.id})"


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


config = typer.Typer(
    name="config",
    help="Config values and secrets of GLOBAL (--global) or of an organization (--org, which overrides GLOBAL); "
    "reads default to GLOBAL, writes name one of the two. "
    'Secrets are encrypted at rest and shown as "[SECRET]".',
    no_args_is_help=True,
)


@config.command("set")
def set_(
    key: str,
    value: Annotated[str, typer.Argument(help='The value; "-" reads it from stdin (for secrets).')],
    secret: Annotated[bool, typer.Option("--secret", help="Encrypt at rest; shown as [SECRET].")] = False,
    value_type: Annotated[
        ValueType, typer.Option("--type", help="How to read VALUE (json for floats, lists and objects).")
    ] = ValueType.STRING,
    org: OrgOpt = None,
    global_: GlobalOpt = False,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set KEY in GLOBAL (--global) or in the organization given with --org."""
    write_target(org, global_, "config set writes one scope")
    raw = secret_value(value, "VALUE")

    async def body() -> None:
        parsed = parse_value(raw, value_type)
        async with open_host(data_dir) as host:
            scope, label = await _scope(host, org)
            entry = await ConfigStore(host.db, host.secrets).set(scope, key, parsed, is_secret=secret)
            emit(entry, as_json, f"set {key} ({entry.type}) in {label}")

    run(body)


@config.command("get")
def get(
    key: str,
    reveal: Annotated[bool, typer.Option("--reveal", help="Print a secret's plain value.")] = False,
    org: OrgOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print KEY as a workflow of the organization (--org) or GLOBAL sees it; secrets masked unless --reveal."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            scope, label = await _scope(host, org)
            entry = await ConfigStore(host.db, host.secrets).get(scope, key, reveal=reveal)
            if entry is None:
                where = label if scope == GLOBAL_SCOPE else f"{label} or GLOBAL"
                fail(f"no config key {key!r} in {where}; see `bifrost-mcp config list`")
            emit(entry, as_json, _shown(entry.value))

    run(body)


@config.command("list")
def list_(org: OrgOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """List keys of GLOBAL, or of an organization with the GLOBAL keys it inherits; secrets masked."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            scope, _ = await _scope(host, org)
            entries = await ConfigStore(host.db, host.secrets).list(scope)
            emit(entries, as_json, lambda: _table(entries))

    run(body)


@config.command("delete")
def delete(
    key: str, org: OrgOpt = None, global_: GlobalOpt = False, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Delete KEY from GLOBAL (--global) or from the organization given with --org (never from both)."""
    write_target(org, global_, "config delete deletes from one scope")

    async def body() -> None:
        async with open_host(data_dir) as host:
            scope, label = await _scope(host, org)
            if not await ConfigStore(host.db, host.secrets).delete(scope, key):
                fail(f"no config key {key!r} in {label}; see `bifrost-mcp config list`")
            emit({"key": key, "scope": scope, "deleted": True}, as_json, f"deleted {key} from {label}")

    run(body)


def _table(entries: list[ConfigData]) -> str:
    return table([[e.key, e.type, e.scope, _shown(e.value)] for e in entries], ["KEY", "TYPE", "SCOPE", "VALUE"])
