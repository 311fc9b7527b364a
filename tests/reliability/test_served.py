"""The hostile workspace served by `bifrost-mcp serve` (worker processes by default), through the official client
over stdio and streamable HTTP: each hostile call fails alone, the stdio wire stays clean whatever a workflow
writes, another tenant is answered while a worker is blocked, and no worker holds the listening socket.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from bifrost_mcp.data.config import ConfigStore
from tests.reliability.test_hot_reload import SLOW_IMPORT, importing
from tests.support.mcp import execution_id_of, mcp_http_client, opened_app, text_of
from tests.support.poll import poll
from tests.support.process import BIFROST_MCP, REPO, hermetic_environment
from tests.support.server import answers, free_port
from tests.support.signals import Signals
from tests.support.workspace import write_files

pytestmark = pytest.mark.slow

SECRET = "vendor-secret-5e1f9a3c"


def environment(signals: Signals) -> dict[str, str]:
    return {**hermetic_environment(), "BIFROST_TEST_SIGNALS": str(signals.root)}


async def texts(client: Client, tool: str, arguments: dict[str, object] | None = None) -> tuple[bool, str]:
    """(is_error, text without the execution id) of one call."""
    result = await client.call_tool(tool, arguments or {})
    return result.is_error, text_of(result).replace(f" (execution {execution_id_of(result)})", "")


async def test_over_stdio_each_hostile_call_fails_alone_and_the_wire_stays_clean(
    tmp_path: Path, workspace: Path, signals: Signals
) -> None:
    data_dir = tmp_path / "data"
    async with opened_app(data_dir) as setup:
        await ConfigStore(setup.host.db, setup.host.secrets).set("GLOBAL", "vendor_key", SECRET, is_secret=True)
    server = StdioServerParameters(
        command=BIFROST_MCP,
        args=["serve", "--workspace", str(workspace), "--data-dir", str(data_dir), "--workers", "2"],
        env=environment(signals),
    )
    async with Client(server) as client:
        assert await texts(client, "exits") == (True, "SystemExit: 3")
        assert await texts(client, "raises", {"kind": "KeyboardInterrupt"}) == (True, "KeyboardInterrupt")
        assert await texts(client, "hard_exit") == (
            True,
            "'hard_exit' failed: its worker process exited with code 9 during the run; the worker was replaced",
        )
        assert await texts(client, "sleeps") == (True, "'sleeps' timed out after 0.5 s")
        assert await texts(client, "spins") == (True, "'spins' timed out after 0.5 s")
        forked = await texts(client, "forks")
        assert forked[0] and forked[1].startswith("PermissionError: os.fork() is not available to workflows")
        printed = await client.call_tool("prints_everywhere", {"secret_key": "vendor_key"})
        assert (printed.is_error, printed.structured_content) == (False, {"result": "printed"})
        assert await texts(client, "echo", {"text": "the wire is intact"}) == (False, "the wire is intact")

        # hot reload of a file that blocks at import: calls are answered meanwhile, the new tool comes after
        write_files(workspace, {"slow.py": SLOW_IMPORT})
        await poll(lambda: importing(signals), timeout=30, what="the slow file's import to start")
        assert await texts(client, "echo", {"text": "during the reload"}) == (False, "during the reload")
        assert "arrived_late" not in [t.name for t in (await client.list_tools()).tools]
        signals.release("import")

        async def listed() -> bool:
            return "arrived_late" in [t.name for t in (await client.list_tools(cache_mode="bypass")).tools]

        await poll(listed, timeout=60, what="the reloaded workspace's new tool")
        assert await texts(client, "arrived_late") == (False, "late")

    async with opened_app(data_dir) as app:
        records = await app.host.executions.query(workflow_name="prints_everywhere")
        logs = await app.host.executions.logs(records[0].id)
    # Python's stdout and stderr are the run's log; the worker's file descriptors 1 and 2 are /dev/null
    assert [(e.level, e.message) for e in logs] == [
        ("INFO", "print [REDACTED]"),
        ("INFO", "buffer bytes"),
        ("WARNING", "stderr text"),
    ]


@dataclass
class Served:
    url: str
    process: anyio.abc.Process
    tokens: dict[str, str]


@asynccontextmanager
async def served_over_http(tmp_path: Path, workspace: Path, signals: Signals) -> AsyncIterator[Served]:
    data_dir = tmp_path / "data"
    tokens = {}
    async with opened_app(data_dir) as setup:
        for name in ("Hostile Inc", "Bystander Ltd"):
            org = await setup.host.identity.create_org(name)
            user = await setup.host.identity.create_user(f"tech@{name.split()[0].lower()}.test", "Tech", org_id=org.id)
            tokens[name.split()[0].lower()] = (await setup.host.credentials.create_token(user.id)).token
    port = free_port()
    command = [BIFROST_MCP, "serve", "--http", "--port", str(port), "--workspace", str(workspace), "--data-dir",
               str(data_dir), "--workers", "2"]  # fmt: skip
    with (tmp_path / "serve.log").open("wb") as log:
        process = await anyio.open_process(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=environment(signals), cwd=REPO
        )
    async with process:
        try:
            base = f"http://127.0.0.1:{port}"
            await poll(lambda: answers(f"{base}/healthz"), timeout=60, what="the HTTP server to answer")
            yield Served(f"{base}/mcp", process, tokens)
        finally:
            process.terminate()
            with anyio.fail_after(30):
                await process.wait()


def listening_inode(port: int) -> str:
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":  # 0A: LISTEN
            return fields[9]
    raise AssertionError(f"nothing listens on port {port}")


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def holders(pids: list[int], inode: str) -> list[int]:
    held = []
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    held.append(pid)
                    break
            except OSError:
                continue
    return held


async def test_over_http_another_tenant_is_served_while_a_worker_is_blocked_and_no_worker_holds_the_socket(
    tmp_path: Path, workspace: Path, signals: Signals
) -> None:
    async with served_over_http(tmp_path, workspace, signals) as served:
        port = int(served.url.rsplit(":", 1)[1].split("/")[0])
        inode = listening_inode(port)
        blocked: list[tuple[bool, str]] = []
        async with (
            mcp_http_client(served.url, served.tokens["hostile"]) as hostile,
            mcp_http_client(served.url, served.tokens["bystander"]) as bystander,
            anyio.create_task_group() as tg,
        ):

            async def block() -> None:
                blocked.append(await texts(hostile, "blocks_until_released", {"name": "http"}))

            tg.start_soon(block)
            await signals.started("http")

            assert await texts(bystander, "echo", {"text": "meanwhile"}) == (False, "meanwhile")
            assert blocked == []  # answered while the other tenant's run still blocks its worker

            workers = descendants(served.process.pid)
            assert len(workers) >= 2
            assert holders([served.process.pid, *workers], inode) == [served.process.pid]
            forked = await texts(hostile, "forks")
            assert forked[0] and forked[1].startswith("PermissionError: os.fork() is not available")
            assert holders([served.process.pid, *descendants(served.process.pid)], inode) == [served.process.pid]
            signals.release("http")
        assert blocked == [(False, "released")]
