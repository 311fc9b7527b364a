"""`bifrost-mcp serve` over stdio: the official MCP client launches it as a subprocess (both protocol eras)."""

import json
import signal
import subprocess
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from typer.testing import CliRunner

from bifrost.enums import ExecutionStatus
from bifrost_mcp.cli import app as cli_app
from tests.support.examples import exercise_examples
from tests.support.mcp import MODES, mcp_http_client, opened_app
from tests.support.poll import poll
from tests.support.process import BIFROST_MCP, REPO, cli, hermetic_environment
from tests.support.server import answers, free_port
from tests.support.workspace import EXAMPLES

pytestmark = pytest.mark.slow


def stdio_server(data_dir: Path, *extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=BIFROST_MCP,
        args=["serve", "--workspace", str(EXAMPLES), "--data-dir", str(data_dir), *extra],
        env=hermetic_environment(),
    )


@pytest.mark.parametrize("mode", MODES)
async def test_the_examples_are_served_over_stdio(tmp_path: Path, mode: str) -> None:
    async with Client(stdio_server(tmp_path), mode=mode) as client:
        assert client.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28")
        assert client.server_info is not None and client.server_info.name == "bifrost-mcp"
        await exercise_examples(client)
    # every call was recorded in the data dir, as the owner
    async with opened_app(tmp_path) as app:
        owner = await app.owner_caller()
        records = await app.host.executions.query(workflow_name="onboard_user")
        assert [(r.status, r.executed_by) for r in records] == [(ExecutionStatus.COMPLETED, owner.user_id)]


def test_serving_with_an_unknown_token_fails_with_the_reason(tmp_path: Path) -> None:
    done = cli("serve", "--workspace", str(EXAMPLES), "--data-dir", str(tmp_path), "--token", "bft_no-such-token")
    assert done.returncode == 1
    assert "error: unknown token" in done.stderr
    assert done.stdout == ""


def test_serving_without_a_workspace_says_how_to_give_one(tmp_path: Path) -> None:
    done = cli("serve", "--data-dir", str(tmp_path), env={"BIFROST_WORKSPACE": ""})
    assert done.returncode == 1
    assert "no workspace: pass --workspace DIR or set BIFROST_WORKSPACE" in done.stderr


def _banner_token(log: Path) -> str | None:
    for line in log.read_text(errors="replace").splitlines():
        if "owner token (shown once" in line:
            return line.rsplit(" ", 1)[-1]
    return None


async def test_serve_http_prints_a_first_token_and_a_reset_token_replaces_it(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "serve.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [BIFROST_MCP, "serve", "--http", "--port", str(port), "--workspace", str(EXAMPLES), "--data-dir",
               str(data_dir)]  # fmt: skip
    with log.open("wb") as stderr:
        process = await anyio.open_process(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=hermetic_environment(),
            cwd=REPO,
        )
    async with process:
        try:
            await poll(lambda: answers(f"{base}/healthz"), timeout=30, what="the HTTP server to answer /healthz")
            banner = log.read_text()
            assert f"bifrost-mcp is serving {EXAMPLES} at {base}/mcp" in banner
            first = _banner_token(log)
            assert first is not None and first.startswith("bft_")
            async with mcp_http_client(f"{base}/mcp", first, mode="legacy") as client:
                result = await client.call_tool("triage_ticket", {"subject": "printer", "body": "jam"})
                assert result.structured_content is not None and result.structured_content["queue"] == "service-desk"

            reset = await anyio.to_thread.run_sync(
                lambda: CliRunner().invoke(cli_app, ["token", "reset", "--json", "--data-dir", str(data_dir)])
            )
            assert reset.exit_code == 0, reset.stderr
            token = json.loads(reset.stdout)["token"]
            async with mcp_http_client(f"{base}/mcp", token) as client:
                assert "onboard_user" in [t.name for t in (await client.list_tools()).tools]
            async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {first}"}) as http:
                refused = await http.post(f"{base}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
            assert refused.status_code == 401 and "token revoked" in refused.headers["www-authenticate"]
        finally:
            process.terminate()
        with anyio.fail_after(15):  # SIGTERM: uvicorn shuts down gracefully, the workspace watcher stops at once
            # uvicorn re-raises the SIGTERM it handled once it has shut down, so that is the exit status
            assert await process.wait() in (0, -signal.SIGTERM)
        assert process.stdout is not None
        assert [chunk async for chunk in process.stdout] == []  # banner and logs go to stderr: stdout stays clean
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert [p.name for p in files if first.encode() in p.read_bytes() or token.encode() in p.read_bytes()] == []
