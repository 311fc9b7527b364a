"""`bifrost-mcp tools`, invoked in-process against a temp data dir."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from typer.testing import CliRunner

from bifrost_mcp.cli.tools import tools
from bifrost_mcp.system_agents import ASSISTANT
from tests.support.cli import WorkspaceCli, alone
from tests.support.data_dir import opened_host
from tests.support.mcp import opened_app, server_for
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
        "get_execution", "hello", "list_executions", "list_workflows", "read_execution", "search_knowledge",
        "agent_assistant",
    ]  # fmt: skip
    assert "workspace error: broken_flows.py:1: ModuleNotFoundError" in result.stderr
    assert json.loads(cli.ok("run", "hello", "--arg", "name=Ada")) == "hello Ada"


def test_the_command_works_on_its_own(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        alone(tools), ["--workspace", str(EXAMPLES), "--data-dir", str(tmp_path / "data"), "--json"]
    )
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert {"onboard_user", "patch_servers", "triage_ticket"} <= {t["name"] for t in json.loads(result.stdout)}


AGENTS = {
    "desk.py": '''
        from bifrost import Agent, workflow


        @workflow(is_tool=True)
        async def lookup_ticket(ticket: str) -> str:
            """Look a ticket up."""
            return ticket


        helpdesk = Agent("helpdesk", description="Service desk", tools=[lookup_ticket])
        technicians = Agent("technicians", description="For technicians", tools=[lookup_ticket], roles=["Technician"])
        auditor = Agent("auditor", description="Platform audits", tools=[lookup_ticket], admin_only=True)
    ''',
}


@pytest.fixture
def agents_cli(tmp_path: Path) -> Iterator[WorkspaceCli]:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        yield WorkspaceCli(tmp_path / "data", write_files(root, AGENTS))


def tokens(data_dir: Path) -> dict[str, str]:
    """A plain member's and a Technician's token, in one organization."""

    async def create() -> dict[str, str]:
        async with opened_host(data_dir) as host:
            acme = await host.identity.create_org("Acme")
            role = await host.identity.create_role(acme.id, "Technician")
            found: dict[str, str] = {}
            for name in ("plain", "tech"):
                user = await host.identity.create_user(f"{name}@acme.test", name, org_id=acme.id)
                found[name] = (await host.credentials.create_token(user.id)).token
                if name == "tech":
                    await host.identity.assign_users(role.id, [user.id])
            return found

    return anyio.run(create)


def agent_tools(listed: list[dict[str, Any]]) -> dict[str, str]:
    """agent name -> MCP tool name, of the agent tools in a --json listing."""
    return {t["_meta"]["bifrost/agent"]: t["name"] for t in listed if "bifrost/agent" in t.get("_meta", {})}


def test_agents_are_listed_as_their_mcp_tools_exactly_as_the_gate_lets_each_caller_chat(
    agents_cli: WorkspaceCli,
) -> None:
    token = tokens(agents_cli.data_dir)
    owner = agents_cli.json("tools")
    plain = agents_cli.json("tools", "--token", token["plain"])
    tech = agents_cli.json("tools", "--token", token["tech"])

    assert agent_tools(owner) == {
        "assistant": "agent_assistant", "auditor": "agent_auditor", "helpdesk": "agent_helpdesk",
        "technicians": "agent_technicians",
    }  # fmt: skip
    assert agent_tools(plain) == {"assistant": "agent_assistant", "helpdesk": "agent_helpdesk"}
    assert agent_tools(tech) == {
        "assistant": "agent_assistant", "helpdesk": "agent_helpdesk", "technicians": "agent_technicians"
    }  # fmt: skip
    [helpdesk] = [t for t in plain if t["name"] == "agent_helpdesk"]
    assert helpdesk["description"].startswith("Service desk. ")
    assert helpdesk["inputSchema"]["required"] == ["message"]
    # the workflow tools come first, as on tools/list
    assert [t["name"] for t in plain] == [
        "get_execution", "lookup_ticket", "search_knowledge", "agent_assistant", "agent_helpdesk"
    ]  # fmt: skip


def test_the_table_lists_the_callers_agents_with_their_mcp_tool_and_description(agents_cli: WorkspaceCli) -> None:
    token = tokens(agents_cli.data_dir)
    text = agents_cli.ok("tools", "--token", token["tech"])

    tools_part, agents_part = text.split("\n\n")
    assert [line.split()[0] for line in tools_part.splitlines()] == [
        "TOOL", "get_execution", "lookup_ticket", "search_knowledge"
    ]  # fmt: skip
    assert [re.split(r"\s{2,}", line) for line in agents_part.splitlines()] == [  # columns: 2+ spaces apart
        ["AGENT", "MCP TOOL", "DESCRIPTION"],
        ["assistant", "agent_assistant", ASSISTANT.description],
        ["helpdesk", "agent_helpdesk", "Service desk"],
        ["technicians", "agent_technicians", "For technicians"],
    ]


async def test_the_json_is_what_tools_list_shows_the_same_caller_over_mcp(agents_cli: WorkspaceCli) -> None:
    token = (await anyio.to_thread.run_sync(tokens, agents_cli.data_dir))["plain"]
    printed = await anyio.to_thread.run_sync(lambda: agents_cli.json("tools", "--token", token))
    async with opened_app(agents_cli.data_dir, workspace=agents_cli.workspace) as app:
        caller = await app.host.callers.for_token(token)
        async with Client(server_for(app, caller).server) as client:
            listed = (await client.list_tools()).tools

    assert printed == [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in listed]


def test_a_bad_token_is_a_one_line_error(agents_cli: WorkspaceCli) -> None:
    result = agents_cli.fails("tools", "--token", "bft_not-a-token-we-issued")
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
