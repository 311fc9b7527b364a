"""Agents as MCP tools: every agent a caller may chat with is the tool `agent_<name>`, answered by Chat.turn.

A workflow tool that is itself named `agent_<name>` wins: it was there first, and the agent is then not offered
over MCP at all. The clash is decided on the registry, not per caller, so whether the agent tool shows never
depends on (and never reveals) a workflow the caller cannot see.
"""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types
from mcp.server import ServerRequestContext
from mcp.shared.exceptions import MCPError

from bifrost.errors import BifrostError
from bifrost_mcp.agents.approvals import PendingCall
from bifrost_mcp.agents.chat import Chat, ChatTurn
from bifrost_mcp.agents.events import AgentEvent, ToolFinished
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.records import Decision
from bifrost_mcp.runner.runner import ProgressFn
from bifrost_mcp.server.client import wants_progress
from bifrost_mcp.server.confirmations import Confirmations
from bifrost_mcp.server.tools import tool_definitions
from bifrost_mcp.server.workflow_tools import CHAT_FRONT_ENDS
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
# A model that asks for a held tool again after each refusal is not followed forever within one tool call.
MAX_APPROVAL_ROUNDS = 5
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
    definitions = tool_definitions(app.registry, app.host.settings.mcp_hold_seconds)
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
    return ctx.session.report_progress if wants_progress(ctx) else None


async def call_agent_tool(
    app: App,
    confirmations: Confirmations,
    ctx: ServerRequestContext[Any, Any],
    caller: Caller,
    agent: RegisteredAgent,
    params: types.CallToolRequestParams,
) -> types.CallToolResult | types.InputRequiredResult:
    """One chat turn as `caller`, each call it holds for approval put to the person behind the client.

    A refused turn (bad arguments, someone else's conversation, no model) is isError. The message may come from
    the client's model, not its person, so a typed "approve" approves nothing here: only elicitation does.
    """
    arguments = params.arguments or {}
    message, conversation_id = arguments.get("message"), arguments.get("conversation_id")
    if not isinstance(message, str) or not (conversation_id is None or isinstance(conversation_id, str)):
        return _error("arguments: 'message' (a string) is required; 'conversation_id' is an optional string")
    progress, steps = progress_of(ctx), 0

    async def report(event: AgentEvent) -> None:
        nonlocal steps
        if isinstance(event, ToolFinished) and progress is not None:
            steps += 1
            outcome = event.outcome
            status = "failed" if outcome.is_error else "done"
            execution = f" (execution {outcome.execution_id})" if outcome.execution_id else ""
            await progress(steps, None, f"tool step {steps} {status}{execution}")

    chat, unasked = Chat(app), list[PendingCall]()
    decisions: dict[str, Decision] | None
    try:
        state = confirmations.resumed(caller, params) if confirmations.multi_round(ctx) else None
        if state is None:
            turn = await chat.turn(
                caller, agent.name, message, conversation_id=conversation_id, on_event=report, typed_decisions=False
            )
        else:
            if state.conversation_id is None:  # minted for a workflow tool, not for an agent's
                raise MCPError(types.INVALID_PARAMS, "Invalid or expired requestState")
            shown, decisions = Confirmations.shown(state), confirmations.answers(state, params)
            if decisions is None:  # not every question answered: ask again
                calls = {call.call_id: call for call in shown}
                return confirmations.input_required(caller, params, calls, conversation_id=state.conversation_id)
            turn = await chat.decide(caller, state.conversation_id, decisions, on_event=report, shown=shown)
        for _ in range(MAX_APPROVAL_ROUNDS):
            if not turn.pending:
                break
            if not confirmations.can_ask(ctx):
                unasked += turn.pending
                decisions = dict.fromkeys((call.call_id for call in turn.pending), "unanswered")
            elif confirmations.multi_round(ctx):
                calls = {call.call_id: call for call in turn.pending}
                return confirmations.input_required(caller, params, calls, conversation_id=turn.conversation_id)
            else:
                decisions = {call.call_id: await confirmations.ask_now(ctx, call) for call in turn.pending}
            turn = await chat.decide(caller, turn.conversation_id, decisions, on_event=report, shown=turn.pending)
    except BifrostError as exc:
        return _error(str(exc) or type(exc).__name__)
    answer = "\n\n".join(part for part in [turn.text, *_notes(turn, unasked)] if part)
    return types.CallToolResult(
        content=[types.TextContent(text=answer)],
        structured_content={"answer": answer, "conversation_id": turn.conversation_id},
        _meta={"bifrost/conversationId": turn.conversation_id},
    )


def _notes(turn: ChatTurn, unasked: list[PendingCall]) -> list[str]:
    """What the answer adds about approvals this client could not ask for, or calls still waiting."""
    notes = [
        f"Approval was needed for {call.name} with {_arguments(call)}, and this MCP client cannot ask for it "
        f"(it does not support elicitation), so it was not run. To run it, ask again in {CHAT_FRONT_ENDS}."
        for call in unasked
    ]
    notes += [
        f"Still waiting for approval: {call.name} with {_arguments(call)}; approve or deny it in {CHAT_FRONT_ENDS}."
        for call in turn.pending
    ]
    return list(dict.fromkeys(notes))  # a model that asked twice for the same call gets one note


def _arguments(call: PendingCall) -> str:
    return json.dumps(call.arguments, ensure_ascii=False, sort_keys=True)


def _error(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


__all__ = ["agent_tool_definitions", "call_agent_tool", "find_agent_tool", "listed_tools", "progress_of"]
