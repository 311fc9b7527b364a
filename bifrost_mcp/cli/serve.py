"""`bifrost-mcp serve`: stdio (default) or streamable HTTP, with a banner on stderr saying how to connect."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from bifrost.errors import BifrostError
from bifrost_mcp import logs
from bifrost_mcp.app import App
from bifrost_mcp.cli._common import DataDirOpt, OrgOpt, TokenOpt, WorkspaceOpt, fail, run
from bifrost_mcp.runner import descriptors
from bifrost_mcp.settings import DEFAULT_WORKERS, HostSettings, parse_rate_limits

STDIO_WORKERS = 2


def serve(
    workspace: WorkspaceOpt = None,
    data_dir: DataDirOpt = None,
    http: Annotated[bool, typer.Option("--http", help="Serve streamable HTTP instead of stdio.")] = False,
    host: Annotated[str, typer.Option(help="HTTP bind address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port.")] = 8000,
    prefix: Annotated[str, typer.Option(help="Mount path prefix for HTTP (behind a proxy).")] = "",
    token: TokenOpt = None,
    org: OrgOpt = None,
    chroma_url: Annotated[str | None, typer.Option("--chroma-url", envvar="BIFROST_CHROMA_URL")] = None,
    isolation: Annotated[
        str | None,
        typer.Option(
            "--isolation",
            envvar="BIFROST_ISOLATION",
            help="Where workflows run: 'process' (worker processes, the default) or 'inline' (in the server, "
            "for development).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", envvar="BIFROST_WORKERS", help="Worker processes (default 4 over HTTP, 2 over stdio).", min=1
        ),
    ] = None,
    worker_memory_mb: Annotated[
        int | None,
        typer.Option(
            "--worker-memory-mb",
            envvar="BIFROST_WORKER_MEMORY_MB",
            help="A run whose worker passes this resident memory fails (default 1024; 0: no limit).",
            min=0,
        ),
    ] = None,
    endpoint_rate_limit: Annotated[
        str | None,
        typer.Option(
            "--endpoint-rate-limit",
            help="Calls of public HTTP endpoints (no credentials) per source address: '60/minute' (the default), "
            "'5/second;100/hour'. Env: BIFROST_ENDPOINT_RATE_LIMIT.",
        ),
    ] = None,
    async_concurrency: Annotated[
        int | None,
        typer.Option(
            "--async-concurrency",
            envvar="BIFROST_ASYNC_CONCURRENCY",
            help="Queued (async) runs this server runs at once (default 4).",
            min=1,
        ),
    ] = None,
) -> None:
    """Serve the workspace's tools over MCP (stdio by default, --http for streamable HTTP)."""
    try:
        settings = HostSettings.from_env(data_dir=data_dir, workspace=workspace, chroma_url=chroma_url)
    except BifrostError as exc:  # a malformed BIFROST_* setting: one line saying which and what it takes
        fail(str(exc))
    if settings.workspace is None:
        fail("no workspace: pass --workspace DIR or set BIFROST_WORKSPACE")
    if isolation not in (None, "process", "inline"):
        fail(f"--isolation must be 'process' or 'inline', got {isolation!r}")
    if endpoint_rate_limit is not None:
        try:
            parse_rate_limits(endpoint_rate_limit)
        except BifrostError as exc:
            fail(str(exc))
    # Served, workflow code runs in worker processes unless asked otherwise, over HTTP and stdio alike: over
    # stdio the server's stdout is the MCP wire, which a workflow in the server could corrupt or take down.
    # A stdio server has one client: two warm workers serve it (a blocked one is replaced meanwhile).
    settings = dataclasses.replace(
        settings,
        isolation=isolation or "process",
        workers=workers or (DEFAULT_WORKERS if http else STDIO_WORKERS),
        worker_memory_mb=settings.worker_memory_mb if worker_memory_mb is None else worker_memory_mb,
        endpoint_rate_limit=endpoint_rate_limit or settings.endpoint_rate_limit,
        async_concurrency=async_concurrency or settings.async_concurrency,
    )

    async def body() -> None:  # a refused token or --org is a BifrostError: `run` prints it on one line
        await _serve(settings, http=http, host=host, port=port, token=token, org=org, prefix=prefix)

    # Workflows run in this process may write to the descriptors themselves (os.write, C code, children): both
    # streams go through a redacting pump. Over stdio, fd 1 is the protocol wire: the MCP SDK's transport
    # claims it and points fd 1 at (guarded) stderr.
    with descriptors.redacted(*((1, 2) if http else (2,))):
        logs.configure()  # its handler writes to the stream the guard set up
        run(body)


async def _serve(settings: HostSettings, *, http: bool, host: str, port: int, token: str | None, org: str | None,
                 prefix: str) -> None:  # fmt: skip
    async with App.opened(settings) as app:
        for error in app.registry.errors:
            _say(f"workspace error: {error}")
        if not http:
            # The servers are imported when used: every other command would pay ~0.6 s at startup for them.
            from bifrost_mcp.server.stdio import serve_stdio

            await serve_stdio(app, token, org)
            return
        url = f"http://{host}:{port}{('/' + prefix.strip('/')) if prefix.strip('/') else ''}/mcp"
        _say(banner(settings, url, await _first_token(app)))
        from bifrost_mcp.server.http import serve_http

        await serve_http(app, host=host, port=port, prefix=prefix)


def _say(text: str) -> None:
    sys.stderr.write(text.rstrip("\n") + "\n")


async def _first_token(app: App) -> str | None:
    """Issue the owner's first token on first start, so a fresh install can connect at once."""
    owner = await app.host.identity.ensure_owner()
    if await app.host.credentials.has_active_token(owner.id):
        return None
    return (await app.host.credentials.reset_owner_token()).token


def banner(settings: HostSettings, url: str, token: str | None) -> str:
    exe = shutil.which("bifrost-mcp") or str(Path(sys.executable).with_name("bifrost-mcp"))
    desktop = {
        "mcpServers": {
            "bifrost": {
                "command": exe,
                "args": ["serve", "--workspace", str(settings.workspace or "."), "--data-dir", str(settings.data_dir)],
            }
        }
    }
    shown = token or "<your token>"
    lines = [
        "",
        f"bifrost-mcp is serving {settings.workspace or '(no workspace)'} at {url}",
        f"  health:   {url.removesuffix('/mcp')}/healthz",
        f"  web chat: {url.removesuffix('/mcp')}/chat  (sign in with the token)",
        f"  HTTP API: {url.removesuffix('/mcp')}/api/openapi.json  (the workflows with endpoint_enabled, at "
        "/api/workflows/<name>)",
        f"  data dir: {settings.data_dir}",
    ]
    if token:
        lines += ["", f"  owner token (shown once, stored only as a hash): {token}"]
    lines += [
        f"  new owner token:  {exe} token reset --data-dir {settings.data_dir}",
        "",
        "Connect Claude Code over HTTP:",
        f'  claude mcp add --transport http bifrost {url} --header "Authorization: Bearer {shown}"',
        "",
        "Connect Claude Desktop over stdio (claude_desktop_config.json):",
        *("  " + line for line in json.dumps(desktop, indent=2).splitlines()),
        "",
    ]
    return "\n".join(lines)
