"""examples/helpdesk_agent.py: its tools resolve to the example workflows, and the gate decides who chats."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bifrost import ExecutionContext
from bifrost_mcp.app import App
from tests.support.callers import ORG_A, member
from tests.support.mcp import opened_app
from tests.support.workspace import EXAMPLES

TECHNICIAN = replace(member(ORG_A), roles=frozenset({"Technician"}))


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path, workspace=EXAMPLES) as application:
        yield application


async def test_the_helpdesk_agent_loads_with_its_tools_resolved_to_the_example_workflows(app: App) -> None:
    assert app.registry.errors == []
    helpdesk = app.registry.agents["helpdesk"]
    assert (helpdesk.source, helpdesk.tools) == ("helpdesk_agent.py", ("triage_ticket", "draft_reply"))
    assert [app.registry.workflows[name].source for name in helpdesk.tools] == ["triage.py", "alert_triage.py"]
    assert helpdesk.agent.knowledge == ("runbooks",)


async def test_a_technician_chats_with_the_helpdesk_and_gets_its_tools_a_plain_member_sees_only_the_assistant(
    app: App,
) -> None:
    helpdesk = app.find_agent(TECHNICIAN, "helpdesk")
    assert helpdesk is not None
    assert [tool.tool_name for tool in app.agent_tools(TECHNICIAN, helpdesk)] == ["triage_ticket", "draft_reply"]
    assert app.find_agent(member(ORG_A), "helpdesk") is None
    assert [agent.name for agent in app.visible_agents(member(ORG_A))] == ["assistant"]


async def test_the_helpdesk_instructions_name_the_organization_and_the_technician(app: App) -> None:
    ctx: ExecutionContext = TECHNICIAN.execution_context("e1")
    text = app.registry.agents["helpdesk"].render_instructions(ctx)
    assert text.startswith("You are the service desk of Org A, helping U.")
