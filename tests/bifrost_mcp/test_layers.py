"""The house: imports go strictly downward, and no module imports itself back through others.

The import graph comes from grimp (the engine of import-linter); type-checking-only and function-level
imports count too, since they are dependencies all the same.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache

import grimp
from grimp import Layer

# Top to bottom; a layer may import any layer below it, never one above. Modules in one Layer(...) may
# import each other (the domains share value types), but only downward out of it.
LAYERS = (
    Layer("bifrost_mcp.cli"),
    Layer("bifrost_mcp.server"),
    # the agent loop runs tools through App.run; schedules and queued runs run workflows through it too
    Layer("bifrost_mcp.agents", "bifrost_mcp.triggers"),
    Layer("bifrost_mcp.app"),
    # the host's own tools and agents, which app.py puts into every registry it loads
    Layer("bifrost_mcp.system_agents", "bifrost_mcp.system_tools", independent=False),
    Layer("bifrost_mcp.runner"),
    Layer("bifrost_mcp.isolation"),  # worker processes: the runner hands them runs, their SDK calls reach down
    Layer("bifrost_mcp.platform"),
    Layer("bifrost_mcp.host"),
    Layer(
        "bifrost_mcp.ai",
        "bifrost_mcp.conversations",
        "bifrost_mcp.data",
        "bifrost_mcp.executions",
        "bifrost_mcp.identity",
        "bifrost_mcp.knowledge",
        "bifrost_mcp.schedules",
        "bifrost_mcp.workspace",
        independent=False,
    ),
    Layer("bifrost_mcp.access"),
    Layer(
        "bifrost_mcp.caller",
        "bifrost_mcp.clock",
        "bifrost_mcp.errors",
        "bifrost_mcp.peer",
        "bifrost_mcp.storage",
        "bifrost_mcp.settings",
        independent=False,
    ),
)


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("bifrost_mcp", "bifrost", include_external_packages=False)


def cycles(imports: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in imports.find_modules_directly_imported_by(module):
            if imported not in modules:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def upward_imports(imports: grimp.ImportGraph) -> list[str]:
    """Each import that goes up the layers, with the chains that make it."""
    illegal = imports.find_illegal_dependencies_for_layers(layers=LAYERS)
    return sorted(
        f"{d.importer} -> {d.imported}: " + "; ".join(" -> ".join(route.heads) for route in d.routes) for d in illegal
    )


def probe_graph(*edges: tuple[str, str]) -> grimp.ImportGraph:
    """The real graph plus `edges`, to show the checks fail when the house is broken."""
    probe = grimp.build_graph("bifrost_mcp", "bifrost", include_external_packages=False)
    for importer, imported in edges:
        probe.add_import(importer=importer, imported=imported)
    return probe


def test_no_module_of_the_host_or_the_sdk_takes_part_in_an_import_cycle() -> None:
    assert cycles(graph(), set(graph().modules)) == []


def test_an_import_back_up_is_reported_as_a_cycle_and_as_an_upward_import() -> None:
    probe = probe_graph(("bifrost_mcp.storage.db", "bifrost_mcp.app"))

    assert any("bifrost_mcp.storage.db" in group for group in cycles(probe, set(probe.modules)))
    assert any(line.startswith("bifrost_mcp.storage -> bifrost_mcp.app") for line in upward_imports(probe))


def test_calls_go_strictly_downward_from_the_entry_points_to_storage() -> None:
    assert upward_imports(graph()) == []


def test_the_sdk_never_imports_the_host() -> None:
    sdk_modules = {m for m in graph().modules if m == "bifrost" or m.startswith("bifrost.")}
    host_imports = [
        (m, imported)
        for m in sdk_modules
        for imported in graph().find_modules_directly_imported_by(m)
        if imported.startswith("bifrost_mcp")
    ]
    assert host_imports == []


def test_starting_the_cli_or_the_http_server_loads_no_vendor_sdk_and_no_vector_store() -> None:
    # They cost seconds to import: they load on the first AI call or knowledge use, never at start-up.
    probe = (
        "import sys, bifrost_mcp.cli, bifrost_mcp.server.http; "
        "print(sorted(m for m in ('anthropic', 'openai', 'chromadb', 'onnxruntime') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert loaded.stdout.strip() == "[]"
