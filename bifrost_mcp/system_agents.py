"""Agents bifrost-mcp provides itself: `assistant`, which needs no declaration.

Like the system tools they are declared with the SDK, and the registry holds them beside the workspace's own,
so the gate treats them like any agent.
"""

from __future__ import annotations

from bifrost import Agent
from bifrost_mcp.system_tools import SYSTEM_SOURCE
from bifrost_mcp.workspace import RegisteredAgent, Registry

ASSISTANT = Agent(
    "assistant",
    description="A general assistant that can use every tool you can use, and search your knowledge base",
    instructions=(
        "You are the assistant of {org_name}, talking with {user_name} ({user_email}). Use the tools to look "
        "things up and to act; search the knowledge base before you answer questions about procedures, and quote "
        "the keys of the passages you use. When no tool fits, say so instead of guessing."
    ),
)


def add_system_agents(registry: Registry) -> None:
    """Add the built-in agents to `registry`, after the workspace's.

    The assistant's tools are every tool of this registry version (the system tools among them), so they
    follow hot reload; the gate narrows them to what each caller may run. A workspace agent named `assistant`
    overrides the built-in one, so an organization can give it its own instructions and tools.
    """
    if ASSISTANT.name in registry.agents:
        return
    tools = tuple(entry.name for entry in registry.tools.values())
    registry.agents[ASSISTANT.name] = RegisteredAgent(ASSISTANT, tools, SYSTEM_SOURCE, None)
    registry.agents = dict(sorted(registry.agents.items()))
