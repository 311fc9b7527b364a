"""The official Node.js MCP tools make installs into tests/conformance/node_modules: the harness, the Inspector CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import anyio

from tests.support.process import REPO

NODE_BIN = REPO / "tests" / "conformance" / "node_modules" / ".bin"
HARNESS = NODE_BIN / "conformance"
INSPECTOR = NODE_BIN / "mcp-inspector"


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
