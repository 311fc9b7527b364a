"""Agents as MCP tools: every agent a caller may chat with is the tool `agent_<name>`, answered by Chat.turn.

A workflow tool that is itself named `agent_<name>` wins: it was there first, and the agent is then not offered
over MCP at all. The clash is decided on the registry, not per caller, so whether the agent tool shows never
depends on (and never reveals) a workflow the caller cannot see.
"""

from __future__ import annotations

from typing import Any

import mcp_types as types
from mcp.server import ServerRequestContext
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from bifrost.errors import BifrostError
from bifrost_mcp.agents.chat import Chat
from bifrost_mcp.agents.events import AgentEvent, ToolFinished
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.runner.runner import ProgressFn
from bifrost_mcp.server.tools import tool_definitions
from bifrost_mcp.workspace.registry import RegisteredAgent

AGENT_TOOL_PREFIX = "agent_"
AGENT_META_KEY = "bifrost/agent"  # on an agent tool's definition: the agent's name, so clients can tell it apart
INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "message": {"type": "string", "description": "What to say to the agent."},
        "conversation_id": {
            "type": "string",
            "description": "Continue this conversation (the conversation_id of an earlier answer); omit to start one.",
        },
    },
    "required": ["message"],
    "additionalProperties": False,
}
OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string"}, "conversation_id": {"type": "string"}},
    "required": ["answer", "conversation_id"],
}


def agent_tool_name(agent: RegisteredAgent) -> str:
    return AGENT_TOOL_PREFIX + agent.name


def _offered(app: App, agent: RegisteredAgent) -> bool:
    return agent_tool_name(agent) not in app.registry.tools


def agent_tool_definitions(app: App, caller: Caller) -> list[types.Tool]:
    return [
        types.Tool(
            name=agent_tool_name(agent),
            title=f"Chat with {agent.name}",
            description=_sentence(agent.agent.description or f"The agent {agent.name!r}")
            + " Answers a message in a conversation; pass conversation_id back to continue it.",
            input_schema=INPUT_SCHEMA,
            output_schema=OUTPUT_SCHEMA,
            meta={AGENT_META_KEY: agent.name},
        )
        for agent in app.visible_agents(caller)
        if _offered(app, agent)
    ]


def _sentence(text: str) -> str:
    """`text` ending as a sentence, so the tool's own sentence after it does not run on ("Service desk Answers")."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def listed_tools(app: App, caller: Caller) -> list[types.Tool]:
    """What tools/list shows `caller`: the workflow tools they may run, then the agents they may chat with."""
    definitions = tool_definitions(app.registry)
    workflows = [definitions[e.tool_name] for e in app.visible_tools(caller) if e.tool_name]
    return workflows + agent_tool_definitions(app, caller)


def find_agent_tool(app: App, caller: Caller, tool_name: str) -> RegisteredAgent | None:
    """The agent behind `tool_name` for `caller`, or None (not an agent tool, hidden, or shadowed by a workflow)."""
    if not tool_name.startswith(AGENT_TOOL_PREFIX):
        return None
    agent = app.find_agent(caller, tool_name[len(AGENT_TOOL_PREFIX) :])
    return agent if agent is not None and _offered(app, agent) else None


def progress_of(ctx: ServerRequestContext[Any, Any]) -> ProgressFn | None:
    """The request's progress reporter, or None when the client asked for no progress."""
    # `_meta` is parsed: the token sits under its Python name. A 2026-era in-process client passes a progress
    # callback and no token at all; report_progress is a no-op when the caller asked for no progress.
    meta: dict[str, Any] = dict(ctx.meta or {})
    wants_progress = ctx.protocol_version in MODERN_PROTOCOL_VERSIONS or (
        meta.get("progress_token", meta.get("progressToken")) is not None
    )
    return ctx.session.report_progress if wants_progress else None


async def call_agent_tool(
    app: App, caller: Caller, agent: RegisteredAgent, arguments: dict[str, Any] | None, progress: ProgressFn | None
) -> types.CallToolResult:
    """One chat turn as `caller`; a refused turn (bad arguments, someone else's conversation, no model) is isError."""
    arguments = arguments or {}
    message, conversation_id = arguments.get("message"), arguments.get("conversation_id")
    if not isinstance(message, str) or not (conversation_id is None or isinstance(conversation_id, str)):
        return _error("arguments: 'message' (a string) is required; 'conversation_id' is an optional string")
    steps = 0

    async def report(event: AgentEvent) -> None:
        nonlocal steps
        if isinstance(event, ToolFinished) and progress is not None:
            steps += 1
            outcome = event.outcome
            status = "failed" if outcome.is_error else "done"
            execution = f" (execution {outcome.execution_id})" if outcome.execution_id else ""
            await progress(steps, None, f"tool step {steps} {status}{execution}")

    try:
        turn = await Chat(app).turn(caller, agent.name, message, conversation_id=conversation_id, on_event=report)
    except BifrostError as exc:
        return _error(str(exc) or type(exc).__name__)
    structured = {"answer": turn.text, "conversation_id": turn.conversation_id}
    return types.CallToolResult(
        content=[types.TextContent(text=turn.text)],
        structured_content=structured,
        _meta={"bifrost/conversationId": turn.conversation_id},
    )


def _error(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


__all__ = ["agent_tool_definitions", "call_agent_tool", "find_agent_tool", "listed_tools", "progress_of"]
