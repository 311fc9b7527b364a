"""The built-in `assistant`: no declaration, every tool of the registry, narrowed per caller by the gate."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from bifrost import ExecutionContext, Organization
from bifrost_mcp.app import App, load_registry
from bifrost_mcp.caller import Caller
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.system_agents import ASSISTANT
from bifrost_mcp.system_tools import SYSTEM_SOURCE
from bifrost_mcp.workspace import RegisteredAgent, RegisteredWorkflow
from tests.support.mcp import opened_app
from tests.support.workspace import workspace_modules_dropped, write_files

ACME = Organization(id="org-acme", name="Acme")
MEMBER = Caller(user_id="u1", email="ada@acme.test", name="Ada", organization=ACME, is_platform_admin=False)

TOOLS = """
from bifrost import workflow


@workflow(is_tool=True)
async def reset_password(user: str) -> str:
    return user


@workflow(is_tool=True, admin_only=True)
async def delete_tenant(tenant: str) -> str:
    return tenant


@workflow
async def nightly_report() -> str:
    return "not a tool"
"""


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    with workspace_modules_dropped(tmp_path / "ws") as path:
        path.mkdir()
        yield path


def names(entries: Iterable[RegisteredAgent | RegisteredWorkflow]) -> list[str]:
    return [entry.name for entry in entries]


def test_every_registry_has_the_assistant_with_every_tool_of_the_workspace_and_the_system(
    tmp_path: Path, root: Path
) -> None:
    write_files(root, {"tools.py": TOOLS})
    registry = load_registry(HostSettings(data_dir=tmp_path / "data", workspace=root), 1)
    assistant = registry.agents["assistant"]
    assert (assistant.agent, assistant.source, assistant.line) == (ASSISTANT, SYSTEM_SOURCE, None)
    assert sorted(assistant.tools) == [
        "delete_tenant", "get_execution", "list_executions", "list_workflows", "read_execution", "reset_password",
        "search_knowledge",
    ]  # fmt: skip
    assert registry.errors == []


def test_without_a_workspace_the_assistant_is_there_with_no_tools(tmp_path: Path) -> None:
    registry = load_registry(HostSettings(data_dir=tmp_path / "data"), 1)
    assert registry.agents["assistant"].tools == ()


async def test_the_assistant_offers_each_caller_only_the_tools_they_may_run(tmp_path: Path, root: Path) -> None:
    write_files(root, {"tools.py": TOOLS})
    async with opened_app(tmp_path / "data", workspace=root) as app:
        owner = await app.host.callers.owner()
        for caller, expected in [
            (MEMBER, ["get_execution", "reset_password", "search_knowledge"]),
            (
                owner,
                [
                    "delete_tenant",
                    "get_execution",
                    "list_executions",
                    "list_workflows",
                    "read_execution",
                    "reset_password",
                    "search_knowledge",
                ],
            ),
        ]:
            assistant = app.find_agent(caller, "assistant")
            assert assistant is not None
            assert sorted(names(app.agent_tools(caller, assistant))) == expected


async def test_the_assistants_tools_follow_a_reload_of_the_workspace(tmp_path: Path, root: Path) -> None:
    write_files(root, {"tools.py": TOOLS})
    async with opened_app(tmp_path / "data", workspace=root) as app:
        write_files(root, {"more.py": TOOLS.replace("reset_password", "unlock_account").replace("delete_", "drop_")})
        await app.reload()
        assistant = app.find_agent(MEMBER, "assistant")
        assert assistant is not None
        assert sorted(names(app.agent_tools(MEMBER, assistant))) == [
            "get_execution",
            "reset_password",
            "search_knowledge",
            "unlock_account",
        ]


def test_a_workspace_agent_named_assistant_overrides_the_built_in_one(tmp_path: Path, root: Path) -> None:
    write_files(
        root,
        {
            "tools.py": TOOLS,
            "assistant.py": """
                from bifrost import Agent

                assistant = Agent("assistant", instructions="Only reset passwords at {org_name}.",
                                  tools=["reset_password"], roles=["Technician"])
            """,
        },
    )
    registry = load_registry(HostSettings(data_dir=tmp_path / "data", workspace=root), 1)
    assert registry.errors == []
    assistant = registry.agents["assistant"]
    assert (assistant.source, assistant.line, assistant.tools) == ("assistant.py", 3, ("reset_password",))
    ctx = ExecutionContext("u1", "ada@acme.test", "Ada", ACME.id, ACME, False, False, "e1")
    assert assistant.render_instructions(ctx) == "Only reset passwords at Acme."


async def test_an_admin_only_assistant_override_is_hidden_from_everyone_else(tmp_path: Path, root: Path) -> None:
    write_files(
        root, {"assistant.py": "from bifrost import Agent\n\nassistant = Agent('assistant', admin_only=True)\n"}
    )
    async with opened_app(tmp_path / "data", workspace=root) as app:
        assert app.find_agent(MEMBER, "assistant") is None
        assert app.visible_agents(MEMBER) == []
        assert names(app.visible_agents(await app.host.callers.owner())) == ["assistant"]


async def test_an_app_opened_over_a_loaded_registry_keeps_the_assistant_across_reloads(
    tmp_path: Path, root: Path
) -> None:
    write_files(root, {"tools.py": TOOLS})
    async with App.opened(HostSettings(data_dir=tmp_path / "data", workspace=root)) as app:
        assert "assistant" in app.registry.agents
        assert "assistant" in (await app.reload()).agents
