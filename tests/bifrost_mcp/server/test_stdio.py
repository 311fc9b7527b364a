"""MCP over stdio: the official MCP client launches `bifrost-mcp serve` as a subprocess (both protocol eras)."""

from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from bifrost.enums import ExecutionStatus
from tests.support.approvals import APPROVE, CANNOT_ASK, DANA, DANA_QUESTION, WORKSPACE, Person
from tests.support.examples import exercise_examples
from tests.support.mcp import MODES, opened_app, text_of
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
