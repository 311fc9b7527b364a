"""A real App over a temp data dir, MCP clients connected to it (in memory or over HTTP), and their results."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.server.protocol import BifrostServer
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.system_agents import add_system_agents
from bifrost_mcp.workspace.loader import registry_from_functions
from tests.support.workspace import workspace_modules_dropped, write_files

MODES = ("legacy", "auto")  # 2025-11-25 handshake, 2026-07-28 negotiated
ISOLATIONS = ("inline", "process")  # workflows in the server's process, or in its worker processes
EXECUTION_META_KEY = "bifrost/executionId"


@asynccontextmanager
async def opened_app(
    data_dir: Path,
    *,
    workspace: Path | None = None,
    functions: Iterable[Callable[..., Any]] | None = None,
    progress_interval_seconds: float = 5.0,
    system_agents: bool = False,
    isolation: str = "inline",
    workers: int = 2,
    worker_memory_mb: int = 1024,
) -> AsyncIterator[App]:
    """A real App over a SQLite data dir: a workspace folder, or functions defined in the test.

    A workspace gets the built-in agents as a served one does; functions get them with `system_agents`.
    `isolation="process"` runs the workflows in `workers` worker processes, as `serve` does.
    """
    settings = HostSettings(
        data_dir=data_dir,
        workspace=workspace,
        progress_interval_seconds=progress_interval_seconds,
        isolation=isolation,
        workers=workers,
        worker_memory_mb=worker_memory_mb,
    )
    registry = registry_from_functions(functions) if functions is not None else None
    if registry is not None and system_agents:
        add_system_agents(registry)
    async with App.opened(settings, registry) as app:
        yield app


@asynccontextmanager
async def workspace_app(tmp_path: Path, files: dict[str, str]) -> AsyncIterator[App]:
    """A real App serving a workspace of `files` written under `tmp_path`, its data dir beside it."""
    with workspace_modules_dropped(tmp_path / "ws") as root:
        root.mkdir()
        write_files(root, files)
        async with opened_app(tmp_path / "data", workspace=root) as opened:
            yield opened


def server_for(app: App, caller: Caller) -> BifrostServer:
    async def resolve(_ctx: object) -> Caller:
        return caller

    return BifrostServer(app, resolve)


@asynccontextmanager
async def connected(app: App, mode: str, **client_options: Any) -> AsyncIterator[Client]:
    """An in-memory MCP client connected as the owner, in `mode` ("legacy" or "auto")."""
    server = server_for(app, await app.host.callers.owner())
    async with Client(server.server, mode=mode, **client_options) as client:
        yield client


@asynccontextmanager
async def mcp_http_client(
    url: str, token: str | None, *, mode: str = "auto", headers: dict[str, str] | None = None, **client_options: Any
) -> AsyncIterator[Client]:
    """The official client over streamable HTTP with a bearer token (`client_options`: an elicitation callback...)."""
    all_headers = dict(headers or {})
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    async with (
        httpx2.AsyncClient(headers=all_headers, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode, **client_options) as client,
    ):
        yield client


@asynccontextmanager
async def change_notifications(client: Client, mode: str, received: list[str]) -> AsyncIterator[None]:
    """Collect tools/list_changed events: notifications (2025 era) or a subscriptions/listen stream (2026).

    On the 2025 era the client's own message_handler must append "ToolsListChanged" to `received`.
    """
    if mode == "legacy":
        yield
        return
    async with client.listen(tools_list_changed=True) as subscription, anyio.create_task_group() as tg:

        async def consume() -> None:
            async for event in subscription:
                received.append(type(event).__name__)

        tg.start_soon(consume)
        yield
        tg.cancel_scope.cancel()


def execution_id_of(result: Any) -> str:
    meta = result.meta or {}
    execution_id = meta.get(EXECUTION_META_KEY)
    assert isinstance(execution_id, str), f"no execution id in {meta!r}"
    return execution_id


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "type", None) == "text")
