"""The installed `bifrost-mcp` command, run as a subprocess from the repository's root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIFROST_MCP = str(Path(sys.executable).with_name("bifrost-mcp"))


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


def hermetic_environment() -> dict[str, str]:
    """The test process's environment without vendor keys or bifrost settings, for server subprocesses."""
    dropped = ("ANTHROPIC_", "OPENAI_", "BIFROST_")
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
