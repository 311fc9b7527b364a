"""prompts/list and prompts/get: every @prompt a caller may see, and every agent they may chat with.

A @prompt renders by running its function through the runner as the caller (in a worker under process isolation,
recorded like any run, trigger "mcp"). An agent is the prompt `agent_<name>` (the name of its tool): its
instructions rendered for the caller, as one user message. A @prompt of that name wins, decided on the registry
as for agent tools, so whether the agent's prompt shows never depends on a prompt the caller cannot see.
"""

from __future__ import annotations

from typing import Any

import mcp_types as types
from mcp.shared.exceptions import MCPError

from bifrost.content import from_json
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.runner.runner import new_execution_id
from bifrost_mcp.server.content import content_block
from bifrost_mcp.server.tools import EXECUTION_META_KEY, OPTIONS_META_KEY, options_resources
from bifrost_mcp.workspace.registry import RegisteredAgent, RegisteredWorkflow, Registry

AGENT_PROMPT_PREFIX = "agent_"
AGENT_META_KEY = "bifrost/agent"


def unknown_prompt(name: str) -> MCPError:
    """The one answer for a prompt that does not exist and one the caller may not see."""
    return MCPError(types.INVALID_PARAMS, f"Unknown prompt: {name}")


def prompt_definition(entry: RegisteredWorkflow) -> types.Prompt:
    schema = entry.signature.input_schema
    required = set(schema.get("required", ()))
    arguments = [
        types.PromptArgument(name=name, description=prop.get("description"), required=name in required)
        for name, prop in schema.get("properties", {}).items()
    ]
    meta = {OPTIONS_META_KEY: options_resources(entry)} if entry.signature.options else None
    return types.Prompt(name=entry.name, description=entry.spec.description, arguments=arguments, meta=meta)


def _prompt_definitions(registry: Registry) -> dict[str, types.Prompt]:
    """Every @prompt of the registry as an MCP prompt, built once per registry version."""
    cached = registry.cache.get("prompt_definitions")
    if cached is None:
        cached = registry.cache["prompt_definitions"] = {n: prompt_definition(e) for n, e in registry.prompts.items()}
    return dict(cached)


def agent_prompt_name(agent: RegisteredAgent) -> str:
    return AGENT_PROMPT_PREFIX + agent.name


def _offered(app: App, agent: RegisteredAgent) -> bool:
    return agent_prompt_name(agent) not in app.registry.prompts


def listed_prompts(app: App, caller: Caller) -> list[types.Prompt]:
    definitions = _prompt_definitions(app.registry)
    prompts = [definitions[entry.name] for entry in app.visible_prompts(caller)]
    for agent in app.visible_agents(caller):
        if _offered(app, agent):
            description = agent.agent.description or f"The instructions of the agent {agent.name!r}"
            prompts.append(
                types.Prompt(
                    name=agent_prompt_name(agent),
                    title=f"Agent {agent.name}",
                    description=description,
                    arguments=[],
                    meta={AGENT_META_KEY: agent.name},
                )
            )
    return prompts


def find_agent_prompt(app: App, caller: Caller, name: str) -> RegisteredAgent | None:
    """The agent behind prompt `name` for `caller`, or None (not an agent's prompt, hidden, or shadowed)."""
    if not name.startswith(AGENT_PROMPT_PREFIX):
        return None
    agent = app.find_agent(caller, name[len(AGENT_PROMPT_PREFIX) :])
    return agent if agent is not None and _offered(app, agent) else None


async def get_prompt(app: App, caller: Caller, params: types.GetPromptRequestParams) -> types.GetPromptResult:
    """Render prompt `params.name` for `caller` with `params.arguments`.

    Raises:
        MCPError: INVALID_PARAMS for an unknown or hidden prompt and for arguments that do not validate (naming
            each field); INTERNAL_ERROR, with the execution id, when the prompt function fails.
    """
    arguments: dict[str, Any] = dict(params.arguments or {})
    entry = app.find_prompt(caller, params.name)
    if entry is None:
        agent = find_agent_prompt(app, caller, params.name)
        if agent is None:
            raise unknown_prompt(params.name)
        return _agent_prompt(agent, caller, arguments)
    outcome = await app.run(entry, arguments, caller, trigger="mcp")
    if outcome.invalid is not None:
        raise MCPError(types.INVALID_PARAMS, outcome.message or f"Invalid arguments for {entry.name!r}")
    if outcome.message is not None:
        raise MCPError(types.INTERNAL_ERROR, f"{outcome.message} (execution {outcome.execution_id})")
    messages = [types.PromptMessage(role=m["role"], content=_block(m["content"])) for m in outcome.value]
    return types.GetPromptResult(
        description=entry.spec.description, messages=messages, _meta={EXECUTION_META_KEY: outcome.execution_id}
    )


def _block(content: Any) -> types.ContentBlock:
    if isinstance(content, str):
        return types.TextContent(text=content)
    item = from_json(content)
    if item is None:  # shape_result built these messages: nothing else reaches here
        raise MCPError(types.INTERNAL_ERROR, f"a prompt message holds unknown content: {type(content).__name__}")
    return content_block(item)


def _agent_prompt(agent: RegisteredAgent, caller: Caller, arguments: dict[str, Any]) -> types.GetPromptResult:
    if arguments:
        raise MCPError(
            types.INVALID_PARAMS,
            f"Invalid arguments for {agent_prompt_name(agent)!r}: an agent's prompt takes no arguments; remove "
            f"{', '.join(map(repr, sorted(arguments)))}",
        )
    text = agent.render_instructions(caller.execution_context(new_execution_id()))
    return types.GetPromptResult(
        description=agent.agent.description,
        messages=[types.PromptMessage(role="user", content=types.TextContent(text=text))],
    )


__all__ = ["AGENT_PROMPT_PREFIX", "find_agent_prompt", "get_prompt", "listed_prompts", "prompt_definition"]
