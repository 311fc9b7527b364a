"""The read-only admin system tools (list_workflows, list_executions, read_execution): for platform admins only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bifrost_mcp.app import App
from tests.support.mcp import opened_app
from tests.support.workspace import workspace_modules_dropped, write_files

WORKSPACE = {
    "jobs.py": """
import logging
from bifrost import workflow

logger = logging.getLogger("jobs")


@workflow(is_tool=True, category="Patching")
async def patch_site(site: str) -> str:
    '''Patch one site.'''
    logger.info("patching %s", site)
    return f"patched {site}"


@workflow
async def broken_backup() -> None:
    raise RuntimeError("the backup target is full")
""",
}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        root.mkdir()
        write_files(root, WORKSPACE)
        async with opened_app(tmp_path / "data", workspace=root) as opened:
            yield opened


async def test_an_admin_lists_workflows_and_reads_runs_failed_first_with_their_logs(app: App) -> None:
    owner = await app.host.callers.owner()
    patched = await app.run(app.registry.workflows["patch_site"], {"site": "north"}, owner)
    failed = await app.run(app.registry.workflows["broken_backup"], {}, owner)
    await app.run(app.registry.workflows["patch_site"], {"site": "south"}, owner)
    tools = app.registry.tools

    listed = await app.run(tools["list_workflows"], {}, owner)
    runs = await app.run(tools["list_executions"], {"failed_first": True, "workflow_name": None}, owner)
    read = await app.run(tools["read_execution"], {"execution_id": patched.execution_id}, owner)

    assert {"name": "patch_site", "category": "Patching", "is_tool": True}.items() <= next(
        w for w in listed.value["workflows"] if w["name"] == "patch_site"
    ).items()
    assert "broken_backup" in [w["name"] for w in listed.value["workflows"]]
    first, *rest = runs.value["executions"]
    assert (first["execution_id"], first["status"]) == (failed.execution_id, "Failed")
    assert "the backup target is full" in first["error"]
    assert all(r["status"] != "Failed" for r in rest)
    assert read.value["execution"]["result"] == "patched north"
    assert [line["message"] for line in read.value["logs"]] == ["patching north"]


async def test_the_admin_tools_are_hidden_from_everyone_else(app: App) -> None:
    org = await app.host.identity.create_org("Acme")
    user = await app.host.identity.create_user("tech@acme.test", "Tech", org_id=org.id)
    tech = await app.host.callers.for_user(user.id)
    for name in ("list_workflows", "list_executions", "read_execution"):
        assert app.find_tool(tech, name) is None  # a hidden tool answers exactly like an unknown one
    assistant = app.find_agent(tech, "assistant")
    assert assistant is not None
    assert not {"list_workflows", "list_executions", "read_execution"} & {
        e.name for e in app.agent_tools(tech, assistant)
    }
