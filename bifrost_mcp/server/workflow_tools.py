"""A tools/call of a workflow (on /mcp, stdio and /mcp/agents/<name>): run as the caller, approved first if need be.

A `requires_approval` workflow runs only once the person behind the client approved these exact arguments
(see `confirmations`). A refusal is a tool result with isError, not a protocol error: the model reading it
learns why nothing ran and can tell the person where to approve it, which a JSON-RPC error would not show it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

import mcp_types as types
from mcp.server import ServerRequestContext
from mcp.shared.exceptions import MCPError

from bifrost_mcp.agents.approvals import PendingCall
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.runner.runner import ProgressFn, RunOutcome
from bifrost_mcp.server.background import answers_later, call_in_background, speaks_tasks
from bifrost_mcp.server.client import McpPeer
from bifrost_mcp.server.confirmations import Confirmations
from bifrost_mcp.server.held import HeldRuns
from bifrost_mcp.server.tools import tool_result
from bifrost_mcp.workspace import RegisteredWorkflow

logger = logging.getLogger(__name__)

APPROVE_KEY = "approve"
CHAT_FRONT_ENDS = "a chat front end (the web chat at /chat, or `bifrost-mcp chat`)"


def cannot_ask(tool: str, workflow: str) -> str:
    return (
        f"{tool} was not run: the workflow {workflow!r} requires the user's approval of its exact arguments, and "
        "this MCP client cannot ask for it (it does not support elicitation). Use a client that supports "
        f"elicitation, or {CHAT_FRONT_ENDS}, where the user can approve it."
    )


def declined(decision: str) -> str:
    """What the execution record of a call that was not approved says."""
    return "declined by the person" if decision == "denied" else "not approved: the person left it unanswered"


def not_approved(tool: str, decision: str) -> str:
    if decision == "denied":
        return f"{tool} was not run: the user declined to run it with these arguments."
    return f"{tool} was not run: the user did not approve it (the confirmation was cancelled or not answered)."


async def call_workflow_tool(
    app: App,
    confirmations: Confirmations,
    ctx: ServerRequestContext[Any, Any],
    caller: Caller,
    entry: RegisteredWorkflow,
    params: types.CallToolRequestParams,
    progress: ProgressFn | None,
    *,
    readable_later: bool = True,
) -> types.CallToolResult | types.InputRequiredResult | dict[str, Any]:
    """Run `entry` for the call, or queue it and answer at once (see `background`).

    `readable_later`: whether this server offers a way to read an execution back (get_execution); where it does
    not, only a client that speaks the Tasks extension has an async or long run handed off.
    """
    multi_round = confirmations.multi_round(ctx)
    resumed = HeldRuns.state_of(params) if multi_round else None
    if resumed is not None:  # the answer to a question the run asked (approval, if any, came before it)
        return _held_result(entry, await confirmations.held.resume(ctx, caller, resumed, params))
    if entry.spec.requires_approval:
        held = await _confirm(app, confirmations, ctx, caller, entry, params)
        if held is not None:
            return held
    if answers_later(app, entry) and (readable_later or speaks_tasks(ctx)):
        return await call_in_background(app, ctx, caller, entry, params.arguments)

    # The run may report progress, log to the client and ask it (see `client`); the host's keep-alive progress
    # goes through the same peer, which silences it once the workflow reports its own.
    def run(peer: McpPeer) -> Awaitable[RunOutcome]:
        keepalive = peer.keepalive if progress is not None else None
        return app.run(entry, params.arguments, caller, progress=keepalive, peer=peer)

    if multi_round and HeldRuns.wanted(ctx):  # it may ask, and only by input-required rounds (see `held`)
        return _held_result(entry, await confirmations.held.start(ctx, caller, run))
    return tool_result(entry, await run(McpPeer(ctx)))


def _held_result(
    entry: RegisteredWorkflow, outcome: RunOutcome | types.InputRequiredResult
) -> types.CallToolResult | types.InputRequiredResult:
    return outcome if isinstance(outcome, types.InputRequiredResult) else tool_result(entry, outcome)


async def _confirm(
    app: App,
    confirmations: Confirmations,
    ctx: ServerRequestContext[Any, Any],
    caller: Caller,
    entry: RegisteredWorkflow,
    params: types.CallToolRequestParams,
) -> types.CallToolResult | types.InputRequiredResult | None:
    """None once the person approved exactly `params.arguments`; otherwise what the client gets instead of a run."""
    call = PendingCall(APPROVE_KEY, params.name, dict(params.arguments or {}))
    if not confirmations.can_ask(ctx):
        return _error(cannot_ask(params.name, entry.spec.name))
    if confirmations.multi_round(ctx):
        state = confirmations.resumed(caller, params)
        if state is not None and Confirmations.shown(state) != [call]:  # the boundary binds them too; be sure
            raise MCPError(types.INVALID_PARAMS, "Invalid or expired requestState")
        decisions = confirmations.answers(state, params) if state is not None else None
        if decisions is None:
            return confirmations.input_required(caller, params, {APPROVE_KEY: call})
        decision = decisions[APPROVE_KEY]
    else:
        decision = await confirmations.ask_now(ctx, call)
    if decision == "approved":
        return None
    logger.info("%s not run for user %s: approval %s", params.name, caller.user_id, decision)
    await app.decline(entry, params.arguments, caller, declined(decision))  # on the record, like any call
    return _error(not_approved(params.name, decision))


def _error(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


__all__ = ["CHAT_FRONT_ENDS", "call_workflow_tool", "cannot_ask", "declined", "not_approved"]
