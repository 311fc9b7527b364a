"""The SDK and the host agree on every operation: each `call("module.operation", ...)` an SDK module makes is
answered by a method of the caller's view that takes exactly those keyword arguments, and a workflow in a
worker process is answered (or refused) exactly as one inline.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import bifrost
from bifrost import workflow
from bifrost.errors import NotAvailableError
from bifrost.platform import call
from bifrost_mcp.executions.state import RunState
from bifrost_mcp.host import Host
from bifrost_mcp.platform import RunPlatform
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace.registry import Registry
from tests.support.callers import ORG_A, member
from tests.support.mcp import ISOLATIONS, opened_app

SDK_ROOT = Path(bifrost.__file__).parent
CALLS = {"call", "stream_operation"}


def sdk_operations() -> list[tuple[str, str, frozenset[str]]]:
    """(file, operation, keyword names) of every operation call in the SDK's modules."""
    found = []
    for path in sorted(SDK_ROOT.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLS):
                continue
            if not (node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                continue
            names = {k.arg for k in node.keywords if k.arg is not None}
            if any(k.arg is None for k in node.keywords):  # **arguments: ai.complete's dict, spelled out there
                names |= _dict_keys(path, "arguments")
            found.append((path.name, node.args[0].value, frozenset(names)))
    return found


def _dict_keys(path: Path, variable: str) -> set[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.AnnAssign | ast.Assign) and isinstance(node.value, ast.Dict):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == variable for t in targets):
                return {k.value for k in node.value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    raise AssertionError(f"{path.name} has no dict literal {variable!r}")


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[RunPlatform]:
    async with Host.opened(HostSettings(data_dir=tmp_path)) as host:
        yield RunPlatform(host, Registry(version=1, root=None), member(ORG_A), RunState("exec-1"))


def test_the_sdk_makes_operation_calls_for_every_module() -> None:
    modules = {operation.split(".")[0] for _, operation, _ in sdk_operations()}
    assert modules == {
        "ai", "config", "executions", "files", "forms", "integrations", "knowledge", "organizations", "resources",
        "roles", "tables", "users", "workflows",
    }  # fmt: skip


async def test_every_operation_the_sdk_calls_is_answered_with_the_same_arguments(platform: RunPlatform) -> None:
    mismatched = []
    for file, operation, names in sdk_operations():
        parameters = inspect.signature(platform.operation(operation)).parameters
        required = {n for n, p in parameters.items() if p.default is inspect.Parameter.empty}
        if not (required <= names <= set(parameters)):
            mismatched.append(f"{file}: {operation}({', '.join(sorted(names))}) vs {list(parameters)}")
    assert mismatched == []


@pytest.mark.parametrize("operation", ["nosuch.get", "config.nosuch", "config._admin", "config.__init__"])
async def test_an_operation_the_host_does_not_have_is_not_available(platform: RunPlatform, operation: str) -> None:
    with pytest.raises(NotAvailableError, match="no"):
        await platform.call(operation, {})


async def test_a_views_attributes_are_not_operations(platform: RunPlatform) -> None:
    await platform.call("config.list", {})  # builds the config view, which holds its caller and store
    for attribute in ("caller", "store", "_admin", "_scope"):
        with pytest.raises(NotAvailableError):
            platform.operation(f"config.{attribute}")


@workflow
async def calls_operation(operations: list[str]) -> list[list[str]]:
    """What calling each operation raises, as the workflow sees it."""
    seen = []
    for operation in operations:
        try:
            await call(operation)
        except NotAvailableError as exc:
            seen.append([type(exc).__name__, str(exc)])
    return seen


UNAVAILABLE = ["nosuch.get", "config.nosuch", "config._admin", "config.__init__"]


@pytest.mark.parametrize("isolation", ISOLATIONS)
async def test_a_workflow_gets_the_same_refusal_inline_and_in_a_worker_process(
    tmp_path: Path, platform: RunPlatform, isolation: str
) -> None:
    expected = []
    for operation in UNAVAILABLE:
        with pytest.raises(NotAvailableError) as refused:
            await platform.call(operation, {})
        expected.append(["NotAvailableError", str(refused.value)])

    async with opened_app(tmp_path / "app", functions=[calls_operation], isolation=isolation) as app:
        owner = await app.host.callers.owner()
        outcome = await app.run(app.registry.workflows["calls_operation"], {"operations": UNAVAILABLE}, owner)

    assert outcome.value == expected
