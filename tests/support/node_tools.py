"""The official Node.js MCP tools make installs into tests/conformance/node_modules: the harness, the Inspector CLIs.

The Inspector has two: `mcp-inspector --cli` makes one request per run; `mcpdo` keeps named connections in a
daemon and offers what the one-shot CLI does not (completions). Each test gets a private daemon in its own
directory, with nothing written to the real home.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio

from tests.support.process import REPO

NODE_BIN = REPO / "tests" / "conformance" / "node_modules" / ".bin"
HARNESS = NODE_BIN / "conformance"
INSPECTOR = NODE_BIN / "mcp-inspector"
MCPDO = NODE_BIN / "mcpdo"


def node_environment() -> dict[str, str]:
    """This environment with the installed Node.js (>= 22) first on PATH: the tools' `#!/usr/bin/env node`."""
    return {**os.environ, "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def installed(tool: Path) -> Path:
    assert tool.exists(), f"{tool.name} is not installed: run `make conformance-tools` (make test does)"
    return tool


async def inspect(url: str, token: str, method: str, *args: str) -> dict[str, Any]:
    """The Inspector CLI's JSON answer to one `method` on the MCP server at `url`, as `token`'s bearer."""
    command = [str(installed(INSPECTOR)), "--cli", url, "--header", f"Authorization: Bearer {token}"]
    run = await anyio.run_process(
        [*command, "--method", method, *args, "--format", "json"], env=node_environment(), check=False
    )
    output = run.stdout.decode(errors="replace")
    assert run.returncode == 0, f"inspector {method} exited {run.returncode}: {output}{run.stderr.decode()}"
    answer: dict[str, Any] = json.loads(output)
    return answer


async def _mcpdo(env: dict[str, str], *args: str) -> Any:
    run = await anyio.run_process([str(installed(MCPDO)), "--format", "json", *args], env=env, check=False)
    output = run.stdout.decode(errors="replace")
    assert run.returncode == 0, f"mcpdo {args[0]} exited {run.returncode}: {output}{run.stderr.decode()}"
    return json.loads(output)


@asynccontextmanager
async def mcpdo_connection(url: str, token: str, home: Path) -> AsyncIterator[Any]:
    """A connection of the Inspector's `mcpdo` to `url` as `token`'s bearer; yields `request(method, *args)`."""
    await anyio.Path(home).mkdir(parents=True, exist_ok=True)
    env = node_environment() | {
        "HOME": str(home),
        "MCP_CATALOG_PATH": str(home / "mcp.json"),
        "MCP_INSPECTOR_SECRET_STORE": "memory",
        "MCP_INSPECTOR_DAEMON_DIR": str(home / "daemon"),
        "MCP_INSPECTOR_DAEMON_TOKEN": "test-daemon-token",
    }
    await _mcpdo(env, "connect", "--connection", "bifrost", url, "--header", f"Authorization: Bearer {token}")

    async def request(method: str, *args: str) -> Any:
        return await _mcpdo(env, "--connection", "bifrost", method, *args)

    try:
        yield request
    finally:
        await _mcpdo(env, "daemon", "stop")
