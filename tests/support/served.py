"""`bifrost-mcp serve` in a subprocess over a workspace a test wrote: HTTP with the first owner token, or stdio.

Its stdout and stderr go to files, so a test can read every byte the server wrote; `kill()` is kill -9.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
from anyio.abc import Process
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.support.poll import poll
from tests.support.process import BIFROST_MCP, REPO, hermetic_environment
from tests.support.server import answers, free_port

STARTUP_SECONDS = 60.0


@dataclass(slots=True)
class Served:
    url: str  # the MCP endpoint
    token: str  # the owner's first token, from the banner
    process: Process
    stdout: Path
    stderr: Path

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)

    def output(self) -> bytes:
        """Everything the server wrote to stdout and stderr so far."""
        return self.stdout.read_bytes() + self.stderr.read_bytes()


def _banner_token(stderr: Path) -> str | None:
    for line in stderr.read_text(errors="replace").splitlines():
        if "owner token (shown once" in line:
            return line.rsplit(" ", 1)[-1]
    return None


@asynccontextmanager
async def served_http(workspace: Path, data_dir: Path, logs: Path, *, env: dict[str, str] | None = None,
                      token: str | None = None) -> AsyncIterator[Served]:  # fmt: skip
    """Serve `workspace` over HTTP until the block ends (SIGTERM, or the test's kill -9).

    `token`: the owner's, for a data dir that has one already (then the banner shows none).
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stdout, stderr = logs / "serve.stdout", logs / "serve.stderr"
    command = [BIFROST_MCP, "serve", "--http", "--port", str(port), "--workspace", str(workspace), "--data-dir",
               str(data_dir)]  # fmt: skip
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = await anyio.open_process(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env={**hermetic_environment(), **(env or {})},
            cwd=REPO,
        )  # fmt: skip
    async with process:
        try:
            await poll(lambda: answers(f"{base}/healthz"), timeout=STARTUP_SECONDS, what="the server to answer")
            token = token or _banner_token(stderr)
            assert token is not None, stderr.read_text()
            yield Served(f"{base}/mcp", token, process, stdout, stderr)
        finally:
            if process.returncode is None:
                process.terminate()
            with anyio.fail_after(15):
                await process.wait()


@asynccontextmanager
async def served_stdio(workspace: Path, data_dir: Path, stderr: Path, *, env: dict[str, str] | None = None
                       ) -> AsyncIterator[Client]:  # fmt: skip
    """The official client connected to `bifrost-mcp serve` over stdio; the server's stderr goes to `stderr`."""
    params = StdioServerParameters(
        command=BIFROST_MCP,
        args=["serve", "--workspace", str(workspace), "--data-dir", str(data_dir)],
        env={**hermetic_environment(), **(env or {})},
        cwd=str(REPO),
    )
    with stderr.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            yield client
