"""Helpers for the end-to-end tests: workspaces on disk, a real App in a temp data dir, MCP clients, polling."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio
from mcp import Client

from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.server.protocol import BifrostServer
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.storage.db import DB_FILENAME
from bifrost_mcp.workspace.loader import registry_from_functions

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
BIFROST_MCP = str(Path(sys.executable).with_name("bifrost-mcp"))
MODES = ("legacy", "auto")  # 2025-11-25 handshake, 2026-07-28 negotiated
EXECUTION_META_KEY = "bifrost/executionId"


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> source, dedented) under `root`; returns `root`."""
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return root


@contextmanager
def workspace_modules_dropped(root: Path) -> Iterator[Path]:
    """Yield `root`; afterwards forget every module imported from it and its sys.path entry.

    Workspaces are imported by module name into the one interpreter; without this, a later test's
    workspace with a file of the same name would find the earlier module.
    """
    try:
        yield root
    finally:
        resolved = str(root.resolve())
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if isinstance(file, str) and file.startswith(resolved + os.sep):
                del sys.modules[name]
        while resolved in sys.path:
            sys.path.remove(resolved)


@asynccontextmanager
async def opened_app(
    data_dir: Path,
    *,
    workspace: Path | None = None,
    functions: Iterable[Callable[..., Any]] | None = None,
    progress_interval_seconds: float = 5.0,
) -> AsyncIterator[App]:
    """A real App over a SQLite data dir: a workspace folder, or functions defined in the test."""
    settings = HostSettings(data_dir=data_dir, workspace=workspace, progress_interval_seconds=progress_interval_seconds)
    registry = registry_from_functions(functions) if functions is not None else None
    async with App.opened(settings, registry) as app:
        yield app


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


async def poll(check: Callable[[], Awaitable[T | None]], *, timeout: float = 10.0, what: str = "condition") -> T:
    """Call `check` until it returns something truthy, and return that; fail after `timeout` seconds."""
    try:
        with anyio.fail_after(timeout):
            while True:
                value = await check()
                if value:
                    return value
                await anyio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None


def execution_id_of(result: Any) -> str:
    meta = result.meta or {}
    execution_id = meta.get(EXECUTION_META_KEY)
    assert isinstance(execution_id, str), f"no execution id in {meta!r}"
    return execution_id


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "type", None) == "text")


def db_rows(data_dir: Path, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    """Read the data dir's database directly (read-only), as another process would."""
    path = data_dir / DB_FILENAME
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # not migrated yet
        return []
    finally:
        conn.close()


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the installed `bifrost-mcp` command."""
    return subprocess.run(
        [BIFROST_MCP, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=REPO,
        check=False,
    )


ONBOARD_ARGS = {
    "hire": {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "personal_email": "ada@example.org",
        "department": "eng",
        "start_date": "2026-12-01",
    }
}


def _sample_arguments(tool: Any) -> dict[str, Any]:
    """Arguments for a tool this module has no table entry for: strings for its required string parameters."""
    schema = tool.input_schema
    properties = schema.get("properties", {})
    arguments: dict[str, Any] = {}
    for name in schema.get("required", []):
        kind = properties.get(name, {}).get("type")
        assert kind == "string", f"add a table entry for tool {tool.name!r}: required {name!r} is {kind!r}"
        arguments[name] = "disk full on srv-01"
    return arguments


async def exercise_examples(client: Client) -> None:
    """List and call every tool of examples/, and read its data-provider resource and resource template.

    Tools that need an AI provider are called too; without one configured they fail with a clear message.
    """
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert {"onboard_user", "patch_servers", "triage_ticket"} <= set(tools)
    for tool in tools.values():
        assert tool.input_schema["additionalProperties"] is False, tool.name
        assert tool.description, tool.name

    onboarded = await client.call_tool("onboard_user", ONBOARD_ARGS)
    assert not onboarded.is_error, text_of(onboarded)
    assert onboarded.structured_content is not None
    assert onboarded.structured_content["username"] == "alovelace"
    assert onboarded.structured_content["groups"] == ["all-staff", "engineering", "vpn-users"]

    patched = await client.call_tool(
        "patch_servers", {"servers": ["srv-01", "srv-02"], "reboot": True, "seconds_per_server": 0.01}
    )
    assert not patched.is_error, text_of(patched)
    assert patched.structured_content == {"success": True, "patched": ["srv-01", "srv-02"], "rebooted": True}

    triaged = await client.call_tool("triage_ticket", {"subject": "VPN down", "body": "Nobody can connect"})
    assert not triaged.is_error, text_of(triaged)
    assert triaged.structured_content == {
        "success": True,
        "queue": "network",
        "priority": "critical",
        "sla_hours": 1,
        "customer": None,
    }

    for name in sorted(set(tools) - {"onboard_user", "patch_servers", "triage_ticket"}):
        result = await client.call_tool(name, _sample_arguments(tools[name]))
        execution_id = execution_id_of(result)
        if result.is_error:
            assert f"(execution {execution_id})" in text_of(result)
            assert "Traceback" not in text_of(result)

    resources = (await client.list_resources()).resources
    assert "bifrost://data-providers/departments" in [str(r.uri) for r in resources]
    departments = await client.read_resource("bifrost://data-providers/departments")
    options = json.loads(departments.contents[0].text)  # type: ignore[union-attr]
    assert [o["value"] for o in options] == ["eng", "sales", "support", "finance"]

    templates = (await client.list_resource_templates()).resource_templates
    assert "bifrost://data-providers/mailbox_sizes{?licence}" in [t.uri_template for t in templates]
    sizes = await client.read_resource("bifrost://data-providers/mailbox_sizes?licence=e5")
    assert json.loads(sizes.contents[0].text) == [{"label": "100 GB", "value": 100}]  # type: ignore[union-attr]


def hermetic_environment() -> dict[str, str]:
    """The test process's environment without vendor keys or bifrost settings, for server subprocesses."""
    dropped = ("ANTHROPIC_", "OPENAI_", "BIFROST_")
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
