"""A hostile workspace served in worker processes, two tenants, and files that say when a run has started."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.executions.records import ExecutionRecord
from bifrost_mcp.isolation.channel import WorkerProcess
from tests.support.mcp import opened_app
from tests.support.poll import poll
from tests.support.signals import Signals
from tests.support.workspace import workspace_modules_dropped

WORKSPACE = Path(__file__).parent / "workspace"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "ws"
    shutil.copytree(WORKSPACE, root, ignore=shutil.ignore_patterns("__pycache__"))
    with workspace_modules_dropped(root):
        yield root


@pytest.fixture
async def app(tmp_path: Path, workspace: Path, signals: Signals) -> AsyncIterator[App]:
    async with opened_app(tmp_path / "data", workspace=workspace, isolation="process", worker_memory_mb=256) as opened:
        yield opened


@dataclass
class Tenants:
    hostile: Caller  # runs the hostile workflows
    other: Caller  # another organization's member, calling echo meanwhile


@pytest.fixture
async def tenants(app: App) -> Tenants:
    callers = []
    for name in ("Hostile Inc", "Bystander Ltd"):
        org = await app.host.identity.create_org(name)
        user = await app.host.identity.create_user(f"tech@{name.split()[0].lower()}.test", "Tech", org_id=org.id)
        callers.append(await app.host.callers.for_user(user.id))
    return Tenants(*callers)


def live_workers(app: App) -> list[WorkerProcess]:
    assert app.pool is not None
    return app.pool.live_workers()


async def full_pool(app: App) -> list[WorkerProcess]:
    """The pool's workers once it is back to its size (a killed worker's replacement has started)."""
    assert app.pool is not None
    size = app.pool.size
    return await poll(lambda: len(live_workers(app)) == size and live_workers(app), timeout=60, what="a full pool")


async def record_of(app: App, execution_id: str) -> ExecutionRecord:
    record = await app.host.executions.get(execution_id)
    assert record is not None
    return record
