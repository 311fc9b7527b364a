"""MCP over stdio: the official MCP client launches `bifrost-mcp serve` as a subprocess (both protocol eras)."""

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_REQUEST
from typer.testing import CliRunner

from bifrost.enums import ExecutionStatus
from bifrost_mcp.cli import cli
from tests.support.approvals import APPROVE, CANNOT_ASK, DANA, DANA_QUESTION, WORKSPACE, Person
from tests.support.data_dir import db_rows
from tests.support.examples import exercise_examples
from tests.support.mcp import MODES, opened_app, text_of
from tests.support.poll import poll
from tests.support.process import BIFROST_MCP, hermetic_environment
from tests.support.workspace import EXAMPLES, write_files

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
        owner = await app.host.callers.owner()
        records = await app.host.executions.query(workflow_name="onboard_user")
        assert [(r.status, r.executed_by) for r in records] == [(ExecutionStatus.COMPLETED, owner.user_id)]


@pytest.mark.parametrize("mode", MODES)
async def test_over_stdio_a_workflow_that_requires_approval_runs_once_approved_and_is_refused_without_elicitation(
    tmp_path: Path, mode: str
) -> None:
    workspace = write_files(tmp_path / "ws", WORKSPACE)
    approver = Person([APPROVE])

    def server() -> StdioServerParameters:
        parameters = stdio_server(tmp_path / "data")
        parameters.args[parameters.args.index(str(EXAMPLES))] = str(workspace)
        return parameters

    async with Client(server(), mode=mode, elicitation_callback=approver) as client:
        approved = await client.call_tool("disable_account", DANA)
    async with Client(server(), mode=mode) as client:
        refused = await client.call_tool("disable_account", {"account": "eve@acme.test"})

    assert (approved.is_error, text_of(approved)) == (False, "Disabled dana@acme.test: left.")
    assert approver.questions == [DANA_QUESTION]
    assert (refused.is_error, text_of(refused)) == (True, CANNOT_ASK)
    async with opened_app(tmp_path / "data") as app:
        owner = await app.host.callers.owner()
        runs = await app.host.executions.query(workflow_name="disable_account")
        assert [(r.status, r.executed_by, r.input_data) for r in runs] == [
            (ExecutionStatus.COMPLETED, owner.user_id, DANA)
        ]


WHOAMI = '''
from bifrost import context, workflow


@workflow(is_tool=True)
async def whoami() -> str:
    """Who is calling, in which organization."""
    return f"{context.email} in {context.org_name}"
'''


def _admin(data_dir: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--data-dir", str(data_dir), "--json"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("session", "change", "status", "error", "refusal"),
    [
        ("token", ("tokens", "revoke", "{token_id}"), 401, "invalid_token", "token revoked"),
        ("token", ("users", "deactivate", "amy@acme.test"), 403, "insufficient_scope",
         "user amy@acme.test is deactivated"),
        ("token", ("orgs", "deactivate", "Acme"), 403, "insufficient_scope",
         "organization 'Acme' of user amy@acme.test is deactivated"),
        ("owner --org", ("orgs", "deactivate", "Acme"), 403, "insufficient_scope",
         "organization 'Acme' ({org_id}) is deactivated: nobody acts in it, platform admins included; reactivate it"
         " first"),
    ],
)  # fmt: skip
async def test_a_stdio_session_rechecks_its_caller_on_every_call_and_refuses_as_http_does(
    tmp_path: Path, session: str, change: tuple[str, ...], status: int, error: str, refusal: str
) -> None:
    data_dir, workspace = tmp_path / "data", tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "who.py").write_text(WHOAMI)
    org = await anyio.to_thread.run_sync(_admin, data_dir, "orgs", "create", "Acme")
    await anyio.to_thread.run_sync(
        _admin, data_dir, "users", "create", "amy@acme.test", "--name", "Amy", "--org", "Acme"
    )
    issued = await anyio.to_thread.run_sync(_admin, data_dir, "tokens", "create", "amy@acme.test")
    extra = ["--token", issued["token"]] if session == "token" else ["--org", "Acme"]
    params = StdioServerParameters(
        command=BIFROST_MCP,
        args=["serve", "--workspace", str(workspace), "--data-dir", str(data_dir), *extra],
        env=hermetic_environment(),
    )
    async with Client(params) as client:
        before = await client.call_tool("whoami", {})
        expected = "amy@acme.test in Acme" if session == "token" else "owner@localhost in Acme"
        assert (before.is_error, text_of(before)) == (False, expected)

        command = [part.format(token_id=issued["id"]) for part in change]
        await anyio.to_thread.run_sync(lambda: _admin(data_dir, *command))

        for attempt in (lambda: client.call_tool("whoami", {}), client.list_tools):
            with pytest.raises(MCPError) as refused:
                await attempt()
            assert refused.value.error.code == INVALID_REQUEST
            assert refused.value.error.message == refusal.format(org_id=org["id"])
            assert refused.value.error.data == {"status": status, "error": error}
    async with opened_app(data_dir) as app:
        assert [r.status for r in await app.host.executions.query(workflow_name="whoami")] == [
            ExecutionStatus.COMPLETED
        ]


EVERY_SECOND = """
from bifrost import workflow


@workflow(schedule="* * * * * *")
async def tick() -> str:
    return "tick"
"""


async def test_a_stdio_server_runs_the_workspaces_schedules_while_it_serves(tmp_path: Path) -> None:
    workspace = write_files(tmp_path / "ws", {"jobs.py": EVERY_SECOND})
    data_dir = tmp_path / "data"
    params = stdio_server(data_dir)
    params.args[params.args.index(str(EXAMPLES))] = str(workspace)
    sql = "SELECT status, trigger, executed_by FROM executions WHERE workflow_name = 'tick'"
    async with Client(params) as client:
        await client.list_tools()
        [row, *_] = await poll(lambda: db_rows(data_dir, sql), timeout=30, what="a scheduled run")
    assert (row["trigger"], row["executed_by"]) == ("schedule", "scheduler")
