"""The agents a workspace declares: found as module-level `Agent` values, their tools resolved at load.

Tools are resolved once every file has loaded, so an agent may name a workflow of any file. A bad
declaration (an unknown tool, a name taken twice) is a LoadError at the agent's file and line; the rest of
the workspace loads.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from bifrost.agents import Agent
from bifrost_mcp.workspace.registry import LoadError, RegisteredAgent, Registry


@dataclass(frozen=True, slots=True)
class FoundAgent:
    """An Agent seen at module level of a workspace file (possibly imported there from another file)."""

    agent: Agent
    source: str
    file: Path | None


def agents_in(module: ModuleType, source: str) -> list[FoundAgent]:
    file = getattr(module, "__file__", None)
    return [
        FoundAgent(value, source, Path(file).resolve() if file else None)
        for value in vars(module).values()
        if isinstance(value, Agent)
    ]


def _declaration_site(agent: Agent, seen_in: list[FoundAgent]) -> tuple[str, int | None]:
    """The file that built `agent` (not one that imported it) and the line, when it is a workspace file."""
    if agent.origin is not None:
        built_in = Path(agent.origin[0]).resolve()
        for found in seen_in:
            if found.file == built_in:
                return found.source, agent.origin[1]
    return seen_in[0].source, None  # built by a helper outside the workspace: the first file holding it


def resolve_tool(registry: Registry, reference: str) -> str | LoadError:
    """The workflow name `reference` means (a workflow name or a tool name), or why it cannot be resolved."""
    if reference in registry.workflows:
        return reference
    if reference in registry.tools:
        return registry.tools[reference].name
    if reference in registry.data_providers:
        return LoadError("", None, f"tool {reference!r} is a data provider; an agent's tools are workflows")
    known = sorted({*registry.workflows, *registry.tools})
    close = difflib.get_close_matches(reference, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return LoadError(
        "",
        None,
        f"unknown tool {reference!r}: no workflow of that name in the workspace or the system tools ({hint}"
        "list a workflow's name or the @workflow function itself)",
    )


def register_agents(registry: Registry, found: Iterable[FoundAgent]) -> None:
    """Add the agents of `found` to `registry`; each bad declaration becomes a LoadError at its file and line."""
    by_identity: dict[int, list[FoundAgent]] = {}
    for item in found:
        by_identity.setdefault(id(item.agent), []).append(item)
    declared = [(seen[0].agent, *_declaration_site(seen[0].agent, seen)) for seen in by_identity.values()]
    for agent, source, line in sorted(declared, key=lambda d: (d[1], d[2] or 0, d[0].name)):
        add_agent(registry, agent, source, line)
    registry.agents = dict(sorted(registry.agents.items()))


def add_agent(registry: Registry, agent: Agent, source: str, line: int | None) -> None:
    """Register one agent whose tools all resolve; otherwise record why not."""

    def fail(message: str) -> None:
        registry.errors.append(LoadError(source, line, f"agent {agent.name!r}: {message}"))

    existing = registry.agents.get(agent.name)
    if existing is not None:
        where = f"{existing.source}:{existing.line}" if existing.line else existing.source
        return fail(f"duplicate agent name: already defined in {where}; rename one of them (Agent(name=...))")
    tools: list[str] = []
    for reference in agent.tools:
        resolved = resolve_tool(registry, reference)
        if isinstance(resolved, LoadError):
            return fail(resolved.message)
        tools.append(resolved)
    registry.agents[agent.name] = RegisteredAgent(agent, tuple(dict.fromkeys(tools)), source, line)
