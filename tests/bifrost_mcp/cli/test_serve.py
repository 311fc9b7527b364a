"""`bifrost-mcp serve`: its errors, and streamable HTTP with the first-start banner (stdio: server/test_stdio.py)."""

import json
import logging
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx2
import pytest
from typer.testing import CliRunner

from bifrost_mcp.cli import cli as bifrost_mcp_cli
from bifrost_mcp.cli.serve import serve
from bifrost_mcp.executions.store import STOPPED_MESSAGE
from tests.support.cli import alone
from tests.support.data_dir import db_rows
from tests.support.mcp import mcp_http_client, opened_app
from tests.support.poll import poll
from tests.support.process import BIFROST_MCP, REPO, cli, hermetic_environment
from tests.support.server import answers, free_port
from tests.support.workspace import EXAMPLES


@pytest.mark.slow
def test_serving_with_an_unknown_token_fails_with_the_reason(tmp_path: Path) -> None:
    done = cli("serve", "--workspace", str(EXAMPLES), "--data-dir", str(tmp_path), "--token", "bft_no-such-token")
    assert done.returncode == 1
    assert "error: unknown token" in done.stderr
    assert done.stdout == ""


@pytest.mark.slow
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
            assert f"web chat: {base}/chat" in banner
            assert f"HTTP API: {base}/api/openapi.json  (the workflows with endpoint_enabled" in banner
            first = _banner_token(log)
            assert first is not None and first.startswith("bft_")
            async with mcp_http_client(f"{base}/mcp", first, mode="legacy") as client:
                result = await client.call_tool("triage_ticket", {"subject": "printer", "body": "jam"})
                assert result.structured_content is not None and result.structured_content["queue"] == "service-desk"

            reset = await anyio.to_thread.run_sync(
                lambda: CliRunner().invoke(bifrost_mcp_cli, ["token", "reset", "--json", "--data-dir", str(data_dir)])
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


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """`serve` gives the root logger a stderr handler for the whole process; take it off after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restored_logging")
def test_the_command_on_its_own_refuses_an_unknown_token_before_serving(tmp_path: Path) -> None:
    options = ["--workspace", str(EXAMPLES), "--data-dir", str(tmp_path), "--token", "bft_no-such-token"]
    result = CliRunner().invoke(alone(serve), options)
    assert (result.exit_code, result.stdout) == (1, "")
    assert "error: unknown token" in result.stderr


@pytest.mark.usefixtures("restored_logging")
def test_the_command_on_its_own_needs_a_workspace(tmp_path: Path) -> None:
    result = CliRunner().invoke(alone(serve), ["--data-dir", str(tmp_path)], env={"BIFROST_WORKSPACE": None})
    assert result.exit_code == 1
    assert "no workspace: pass --workspace DIR or set BIFROST_WORKSPACE" in result.stderr


@pytest.mark.usefixtures("restored_logging")
def test_the_command_refuses_an_isolation_it_does_not_know(tmp_path: Path) -> None:
    options = ["--workspace", str(EXAMPLES), "--data-dir", str(tmp_path), "--isolation", "thread"]
    result = CliRunner().invoke(alone(serve), options)
    assert (result.exit_code, result.stdout) == (1, "")
    assert "error: --isolation must be 'process' or 'inline', got 'thread'" in result.stderr


@pytest.mark.usefixtures("restored_logging")
def test_the_command_on_its_own_refuses_a_malformed_limit_saying_which_and_what_it_takes(tmp_path: Path) -> None:
    options = ["--workspace", str(EXAMPLES), "--data-dir", str(tmp_path)]
    result = CliRunner().invoke(alone(serve), options, env={"BIFROST_MAX_SESSIONS_PER_CREDENTIAL": "lots"})
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "error: BIFROST_MAX_SESSIONS_PER_CREDENTIAL must be a whole number of at least 1, got 'lots' "
        "(unset it for 100)\n"
    )


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize("where", ["option", "environment"])
def test_the_command_refuses_a_malformed_endpoint_rate_limit_saying_what_it_takes(tmp_path: Path, where: str) -> None:
    options = ["--workspace", str(EXAMPLES), "--data-dir", str(tmp_path)]
    if where == "option":
        result = CliRunner().invoke(alone(serve), [*options, "--endpoint-rate-limit", "lots"])
    else:
        result = CliRunner().invoke(alone(serve), options, env={"BIFROST_ENDPOINT_RATE_LIMIT": "lots"})
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "error: the endpoint rate limit (BIFROST_ENDPOINT_RATE_LIMIT, --endpoint-rate-limit) must be calls per "
        "period such as '60/minute' or '5/second;100/hour', each at least 1 call, got 'lots' (unset it for 60/minute)\n"
    )


@pytest.mark.slow
async def test_serve_runs_runs_queued_before_it_started_and_a_run_it_was_killed_in_fails_on_the_next_start(
    tmp_path: Path,
) -> None:
    """Async runs across a restart: queued while no server ran, picked up by `serve`; a kill fails the one in flight."""
    data_dir = tmp_path / "data"
    async with opened_app(data_dir, workspace=EXAMPLES) as app:
        owner = await app.host.callers.owner()
        entry = app.registry.workflows["license_report"]
        quick = await app.submit(entry, {"departments": ["sales"], "seconds_per_department": 0}, owner)
        slow = await app.submit(entry, {"departments": ["it"], "seconds_per_department": 120}, owner)

    def status(execution_id: str) -> str:
        [row] = db_rows(data_dir, "SELECT status FROM executions WHERE id = ?", (execution_id,))
        return str(row["status"])

    command = [BIFROST_MCP, "serve", "--workspace", str(EXAMPLES), "--data-dir", str(data_dir), "--isolation",
               "inline"]  # fmt: skip
    process = await anyio.open_process(
        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=hermetic_environment(), cwd=REPO,
    )  # fmt: skip
    async with process:
        try:
            await poll(lambda: status(quick.id) == "Completed", timeout=30, what="the queued run to complete")
            await poll(lambda: status(slow.id) == "Running", timeout=30, what="the slow run to start")
            process.send_signal(signal.SIGKILL)
            with anyio.fail_after(10):
                await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
    async with opened_app(data_dir, workspace=EXAMPLES) as app:
        done = await app.host.executions.get(quick.id)
        killed = await app.host.executions.get(slow.id)
    assert done is not None and done.result == {"departments": {"sales": 45}, "total": 45}
    assert killed is not None
    assert (killed.status.value, killed.error_message) == ("Failed", STOPPED_MESSAGE)
