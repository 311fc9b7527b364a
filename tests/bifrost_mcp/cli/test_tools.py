"""`bifrost-mcp tools`, invoked in-process against a temp data dir."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bifrost_mcp.cli.tools import tools
from tests.support.cli import WorkspaceCli, alone
from tests.support.workspace import EXAMPLES, workspace_modules_dropped, write_files


@pytest.fixture
def cli(tmp_path: Path) -> WorkspaceCli:
    return WorkspaceCli(tmp_path / "data")


def test_tools_json_lists_every_tool_with_its_input_schema(cli: WorkspaceCli) -> None:
    tools = {t["name"]: t for t in cli.json("tools")}
    assert {"onboard_user", "patch_servers", "triage_ticket"} <= set(tools)
    triage = tools["triage_ticket"]
    assert triage["description"] == "Route a support ticket to a queue and set its SLA."
    assert triage["inputSchema"]["required"] == ["subject", "body"]
    assert triage["inputSchema"]["properties"]["priority"]["enum"] == ["low", "medium", "high", "critical"]
    assert triage["inputSchema"]["additionalProperties"] is False
    assert "outputSchema" in tools["onboard_user"]


def test_tools_without_json_is_a_table(cli: WorkspaceCli) -> None:
    text = cli.ok("tools")
    assert text.splitlines()[0].split() == ["TOOL", "DESCRIPTION"]
    assert any(line.startswith("triage_ticket") for line in text.splitlines())


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        write_files(
            root,
            {
                "ok_flows.py": """
                    from bifrost import workflow


                    @workflow(is_tool=True)
                    async def hello(name: str) -> str:
                        return f"hello {name}"
                """,
                "broken_flows.py": "import not_installed_anywhere\n",
            },
        )
        yield root


def test_workspace_errors_are_reported_on_stderr_and_the_rest_still_runs(tmp_path: Path, workspace: Path) -> None:
    cli = WorkspaceCli(tmp_path / "data", workspace)
    result = cli("tools", "--json")
    assert result.exit_code == 0
    assert [t["name"] for t in json.loads(result.stdout)] == [
        "hello", "list_executions", "list_workflows", "read_execution", "search_knowledge"
    ]  # fmt: skip
    assert "workspace error: broken_flows.py:1: ModuleNotFoundError" in result.stderr
    assert json.loads(cli.ok("run", "hello", "--arg", "name=Ada")) == "hello Ada"


def test_the_command_works_on_its_own(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        alone(tools), ["--workspace", str(EXAMPLES), "--data-dir", str(tmp_path / "data"), "--json"]
    )
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert {"onboard_user", "patch_servers", "triage_ticket"} <= {t["name"] for t in json.loads(result.stdout)}
