"""Shared CLI plumbing: options, opening the host, printing JSON or text, turning errors into exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import anyio
import typer
from pydantic import BaseModel

from bifrost.errors import BifrostError
from bifrost_mcp.host import Host
from bifrost_mcp.settings import HostSettings

T = TypeVar("T")

DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="BIFROST_DATA_DIR", help="Data directory (default ./.bifrost)."),
]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", envvar="BIFROST_WORKSPACE", help="Folder of workflow .py files."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
OrgOpt = Annotated[str | None, typer.Option("--org", help="Organization id or unique name.")]
GlobalOpt = Annotated[
    bool, typer.Option("--global", help="Write GLOBAL, which every organization reads (instead of --org ORG).")
]
TokenOpt = Annotated[
    str | None, typer.Option("--token", envvar="BIFROST_TOKEN", help="Act as this token's user (default: owner).")
]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `error: message` on stderr and exit with `code`."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def run(fn: Callable[[], Awaitable[T]]) -> T:
    """Run an async command body; expected failures become `error: ...` and exit code 1, not a traceback."""
    try:
        return anyio.run(fn)
    except (BifrostError, OSError) as exc:  # every host error is a BifrostError; OSError: the data dir or a file
        fail(str(exc) or type(exc).__name__)


@asynccontextmanager
async def open_host(data_dir: Path | None, workspace: Path | None = None) -> AsyncIterator[Host]:
    async with Host.opened(HostSettings.from_env(data_dir=data_dir, workspace=workspace)) as host:
        yield host


async def org_id_of(host: Host, org: str | None) -> str | None:
    """The id of the organization `--org` names (an id or a unique name), or None when it was not given."""
    return (await host.identity.resolve_org(org)).id if org else None


def write_target(org: str | None, global_: bool, what: str) -> None:
    """A command that writes names its scope: exactly one of --org ORG or --global.

    The holder of the data dir is the platform operator and may write GLOBAL, which every organization reads;
    so that no such write happens by omission, GLOBAL is never the default of a write.
    """
    if bool(org) == global_:
        fail(f"pass exactly one of --org ORG or --global: {what} (GLOBAL is read by every organization)")


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def emit(value: Any, as_json: bool, text: str | Callable[[], str]) -> None:
    """Print `value` as JSON with --json, else the human text."""
    if as_json:
        sys.stdout.write(json.dumps(to_jsonable(value), indent=2, default=str) + "\n")
    else:
        sys.stdout.write((text() if callable(text) else text).rstrip("\n") + "\n")


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain fixed-width table."""
    if not rows:
        return "(none)"
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)
