"""A file a user writes (files.write) is never code: where the data dir may lie, and what the loader and watcher read.

With the data dir inside the workspace, an organization user's `files.write("evil.py", ...)` used to be
imported into the server by the next (hot) reload.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import anyio
import pytest
from watchfiles import Change

from bifrost.errors import ConfigurationError
from bifrost_mcp.app import App
from bifrost_mcp.host import Host
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace.layout import WorkspaceChanges
from tests.support.poll import poll
from tests.support.process import cli as bifrost_mcp
from tests.support.process import hermetic_environment
from tests.support.workspace import workspace_modules_dropped, write_files

PLANTED = '''
from bifrost import workflow

PLANTED_MARK = []


@workflow(is_tool=True)
async def planted_backdoor() -> str:
    """Code a tenant wrote as a file."""
    return "owned"
'''

TOOL = '''
from bifrost import files, workflow


@workflow(is_tool=True)
async def plant(path: str, source: str) -> str:
    """Write a file into the caller's organization's files."""
    await files.write(path, source)
    return path
'''


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    with workspace_modules_dropped(tmp_path / "ws") as path:
        write_files(path, {"tools.py": TOOL})
        yield path


def inside_refusal(root: Path, data_dir: Path) -> str:
    return (
        f"the data dir {data_dir} lies inside the workspace {root}, so the workspace loader would import .py files "
        "that users write with files.write: move the data dir out of the workspace (--data-dir / BIFROST_DATA_DIR), "
        f"or into a hidden folder, which the loader skips, such as {root / '.bifrost'}"
    )


@pytest.mark.parametrize("data", ["data", "state/bifrost", "."])
async def test_a_host_refuses_a_data_dir_the_loader_would_walk_into_before_creating_anything(
    root: Path, data: str
) -> None:
    data_dir = (root / data).resolve()
    with pytest.raises(ConfigurationError) as refused:
        async with Host.opened(HostSettings(data_dir=data_dir, workspace=root)):
            pass
    assert str(refused.value) == inside_refusal(root, data_dir)
    assert sorted([p.name async for p in anyio.Path(root).iterdir()]) == ["tools.py"]


async def test_a_host_refuses_a_workspace_inside_the_data_dir(tmp_path: Path) -> None:
    data_dir, workspace = tmp_path / "data", tmp_path / "data" / "files" / "org" / "workspace"
    workspace.mkdir(parents=True)
    with pytest.raises(ConfigurationError) as refused:
        async with Host.opened(HostSettings(data_dir=data_dir, workspace=workspace)):
            pass
    assert str(refused.value) == (
        f"the workspace {workspace} lies inside the data dir {data_dir}, where users' files are stored, so the "
        "workspace loader would import what they write: keep the two apart (--workspace / BIFROST_WORKSPACE, "
        "--data-dir / BIFROST_DATA_DIR)"
    )


@pytest.mark.slow
@pytest.mark.parametrize("transport", [[], ["--http", "--port", "1"]])
def test_serve_refuses_a_data_dir_inside_the_workspace_saying_what_to_do(root: Path, transport: list[str]) -> None:
    data_dir = root / "data"
    done = bifrost_mcp("serve", "--workspace", str(root), "--data-dir", str(data_dir), *transport,
                       env=hermetic_environment())  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"error: {inside_refusal(root, data_dir)}\n"
    assert not data_dir.exists()


async def test_files_written_into_a_hidden_data_dir_inside_the_workspace_never_load(root: Path) -> None:
    settings = HostSettings(data_dir=root / ".bifrost", workspace=root)
    async with App.opened(settings) as app:
        org = await app.host.identity.create_org("Acme")
        user = await app.host.identity.create_user("u@acme.test", "U", org_id=org.id)
        caller = await app.host.callers.for_user(user.id)
        for path in ("evil.py", "pkg/__init__.py", "pkg/evil.py"):
            outcome = await app.run(app.registry.workflows["plant"], {"path": path, "source": PLANTED}, caller)
            assert outcome.message is None, outcome.message
        found = [p.relative_to(root).as_posix() async for p in anyio.Path(root).rglob("*.py")]
        planted = sorted(path for path in found if path != "tools.py")
        assert planted == [
            f".bifrost/files/{org.id}/workspace/evil.py",
            f".bifrost/files/{org.id}/workspace/pkg/__init__.py",
            f".bifrost/files/{org.id}/workspace/pkg/evil.py",
        ]
        registry = await app.reload()
    assert "planted_backdoor" not in registry.workflows
    assert registry.errors == []
    assert not [name for name, module in sys.modules.items() if hasattr(module, "PLANTED_MARK")]


SETTLED = '''
from bifrost import workflow


@workflow
async def settled() -> None:
    """Loaded once the watcher has caught up."""
'''


async def test_hot_reload_never_reacts_to_files_users_write(root: Path) -> None:
    settings = HostSettings(data_dir=root / ".bifrost", workspace=root)
    async with App.opened(settings) as app, anyio.create_task_group() as tg:
        org = await app.host.identity.create_org("Acme")
        caller = (await app.host.callers.owner()).acting_in(org)
        tg.start_soon(partial(app.watch, debounce_ms=20))
        # The watcher has no readiness signal: touch a workspace file until a reload shows it is watching, then
        # add a workflow and wait for it, so every earlier touch has been consumed before the version is taken.
        attempts = 0

        def reloaded_once() -> bool:
            nonlocal attempts
            attempts += 1
            if app.registry.version == 1 and attempts % 10 == 1:
                write_files(root, {"first.py": "VALUE = 1\n"})
            return app.registry.version > 1

        await poll(reloaded_once, what="the watcher's first reload")
        write_files(root, {"settled.py": SETTLED})
        await poll(lambda: "settled" in app.registry.workflows, what="the reload of settled.py")
        version = app.registry.version
        outcome = await app.run(app.registry.workflows["plant"], {"path": "evil.py", "source": PLANTED}, caller)
        assert outcome.message is None, outcome.message
        assert (root / ".bifrost" / "files" / org.id / "workspace" / "evil.py").exists()
        # Nothing signals a reload that does not happen: give the watcher (20 ms debounce) a full second.
        await anyio.sleep(1.0)
        assert app.registry.version == version
        write_files(root, {"second.py": "VALUE = 2\n"})
        await poll(lambda: app.registry.version > version, what="the reload of a workspace file")
        assert "planted_backdoor" not in app.registry.workflows
        tg.cancel_scope.cancel()


@pytest.mark.parametrize(
    ("relative", "reloads"),
    [
        ("tools.py", True),
        ("pkg/mod.py", True),
        ("notes.txt", False),
        (".bifrost/files/org/workspace/evil.py", False),  # a hidden data dir
        ("state/files/org/workspace/evil.py", False),  # the data dir, wherever it lies
        (".venv/lib/site.py", False),
        ("node_modules/x/y.py", False),
        ("pkg/.hidden/mod.py", False),
    ],
)
def test_the_watcher_reloads_for_code_the_loader_imports_only(root: Path, relative: str, reloads: bool) -> None:
    changes = WorkspaceChanges(root, ignore=[root / "state"])
    assert changes(Change.added, str(root / relative)) is reloads
    assert changes(Change.modified, str(root.parent / "elsewhere.py")) is False
