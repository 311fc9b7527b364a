"""Agents in a workspace: found at module level, tools resolved across files, bad declarations reported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bifrost_mcp.system_tools import SYSTEM_SOURCE, system_workflows
from bifrost_mcp.workspace import Registry
from bifrost_mcp.workspace.loader import load_workspace
from tests.support.workspace import workspace_modules_dropped, write_files


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    with workspace_modules_dropped(tmp_path / "ws") as path:
        path.mkdir()
        yield path


TICKETS = """
from bifrost import data_provider, workflow


@workflow(is_tool=True)
async def triage_ticket(subject: str) -> str:
    return subject


@workflow(name="Lookup Customer", is_tool=True)
async def lookup_customer(name: str) -> str:
    return name


@data_provider
async def queues() -> list[dict[str, str]]:
    return []
"""


def load(root: Path, files: dict[str, str]) -> Registry:
    write_files(root, {"tickets.py": TICKETS, **files})
    return load_workspace(root, system=system_workflows(), system_source=SYSTEM_SOURCE)


def test_an_agent_is_registered_with_its_file_and_line_and_its_tools_resolved_to_workflow_names(root: Path) -> None:
    registry = load(
        root,
        {
            "agents.py": """
                from bifrost import Agent
                from tickets import lookup_customer

                helpdesk = Agent(
                    name="helpdesk",
                    tools=["triage_ticket", lookup_customer, "lookup_customer", "search_knowledge"],
                    knowledge=["runbooks"],
                )
            """
        },
    )
    assert registry.errors == []
    entry = registry.agents["helpdesk"]
    assert (entry.source, entry.line) == ("agents.py", 4)
    # a function, a workflow name and a tool name all resolve to the workflow's name, once
    assert entry.tools == ("triage_ticket", "Lookup Customer", "search_knowledge")
    assert entry.agent.knowledge == ("runbooks",)


def test_an_agent_imported_into_another_file_is_registered_once_at_the_file_that_built_it(root: Path) -> None:
    registry = load(
        root,
        {
            "a_menu.py": "from z_agents import desk\n\nALIAS = desk\n",
            "z_agents.py": "from bifrost import Agent\n\n\ndesk = Agent('desk', tools=['triage_ticket'])\n",
        },
    )
    assert registry.errors == []
    assert list(registry.agents) == ["desk"]
    assert (registry.agents["desk"].source, registry.agents["desk"].line) == ("z_agents.py", 4)


def test_an_unknown_tool_is_a_load_error_at_the_agents_line_and_the_rest_still_loads(root: Path) -> None:
    registry = load(
        root,
        {
            "agents.py": """
                from bifrost import Agent

                good = Agent("good", tools=["triage_ticket"])
                bad = Agent("bad", tools=["triage_tickets"])
            """
        },
    )
    assert list(registry.agents) == ["good"]
    assert "triage_ticket" in registry.workflows
    [error] = registry.errors
    assert (error.path, error.line) == ("agents.py", 4)
    assert error.message.startswith("agent 'bad': unknown tool 'triage_tickets': no workflow of that name")
    assert "did you mean 'triage_ticket'?" in error.message


def test_a_data_provider_is_not_a_tool(root: Path) -> None:
    registry = load(root, {"agents.py": "from bifrost import Agent\n\nx = Agent('x', tools=['queues'])\n"})
    assert registry.agents == {}
    [error] = registry.errors
    assert str(error) == "agents.py:3: agent 'x': tool 'queues' is a data provider; an agent's tools are workflows"


def test_a_tool_of_a_file_that_failed_to_load_is_unknown(root: Path) -> None:
    registry = load(
        root,
        {
            "broken.py": "from bifrost import workflow\n\n\n@workflow\nasync def escalate(:\n",
            "agents.py": "from bifrost import Agent\n\nx = Agent('x', tools=['escalate'])\n",
        },
    )
    assert registry.agents == {}
    assert sorted((e.path, e.line) for e in registry.errors) == [("agents.py", 3), ("broken.py", 5)]


def test_a_second_agent_of_the_same_name_is_a_load_error_naming_the_first(root: Path) -> None:
    registry = load(
        root,
        {
            "one.py": "from bifrost import Agent\n\nfirst = Agent('desk', description='one')\n",
            "two.py": "from bifrost import Agent\n\n\nsecond = Agent('desk', description='two')\n",
        },
    )
    assert registry.agents["desk"].agent.description == "one"
    [error] = registry.errors
    assert (error.path, error.line) == ("two.py", 4)
    assert "duplicate agent name: already defined in one.py:3; rename one of them" in error.message


def test_a_declaration_error_skips_its_file_with_the_line_like_a_broken_workflow(root: Path) -> None:
    registry = load(
        root,
        {
            "agents.py": "from bifrost import Agent\n\nok = Agent('ok')\nbad = Agent('bad', max_steps=0)\n",
            "other.py": "from bifrost import Agent\n\nother = Agent('other', tools=['triage_ticket'])\n",
        },
    )
    assert list(registry.agents) == ["other"]
    [error] = registry.errors
    assert (error.path, error.line) == ("agents.py", 4)
    assert (
        error.message
        == "TypeError: Agent(max_steps=...) must be an integer of at least 1, got 0; write e.g. max_steps=12"
    )


def test_a_workspace_without_agents_has_none(root: Path) -> None:
    assert load(root, {}).agents == {}
