"""MCP over stdio: the official MCP client launches `bifrost-mcp serve` as a subprocess (both protocol eras)."""

from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from bifrost.enums import ExecutionStatus
from tests.support.examples import exercise_examples
from tests.support.mcp import MODES, opened_app
from tests.support.process import BIFROST_MCP, hermetic_environment
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
        owner = await app.host.callers.owner()
        records = await app.host.executions.query(workflow_name="onboard_user")
        assert [(r.status, r.executed_by) for r in records] == [(ExecutionStatus.COMPLETED, owner.user_id)]
