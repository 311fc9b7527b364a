"""Asking the person behind an MCP client to approve calls, by form elicitation, in either protocol generation.

A 2025-era session is asked with a server-to-client `elicitation/create` request while the tool call waits. A
2026-07-28 request cannot be sent requests: the call answers `InputRequiredResult` carrying the questions and a
`requestState`, and the client retries the same call with the answers. That state is attacker-controlled on
the way back, so it is sealed (AES-GCM under a key only this process holds, by mcp's `RequestStateBoundary`,
which also binds it to the method, the tool name and the exact arguments, and expires it); inside it we bind
the caller and a nonce, spent on first use so one approval runs one call. The approval itself is the client's
answer to a question we sealed: an answer without our state is never taken for one.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Mapping
from typing import Any, Literal

import mcp_types as types
from mcp.server import ServerRequestContext
from mcp.server.request_state import RequestStateBoundary, RequestStateSecurity
from mcp.shared.exceptions import MCPError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import BaseModel, ValidationError

from bifrost_mcp.agents.approvals import PendingCall
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.records import Decision
from bifrost_mcp.server.held import HeldRuns

STATE_TTL_SECONDS = 600.0  # time a person gets to answer on the 2026-07-28 flow
APPROVE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "approve": {
            "type": "boolean",
            "title": "Approve",
            "description": "Run it with exactly these arguments.",
            "default": False,  # a form accepted untouched approves nothing
        }
    },
    "required": ["approve"],
}


class _ShownCall(BaseModel):
    call_id: str
    name: str
    arguments: dict[str, Any]


class AskState(BaseModel):
    """What one round of asking leaves for the next: readable only by us, once the boundary has unsealed it."""

    v: Literal[1] = 1
    caller: str
    tool: str
    nonce: str
    conversation_id: str | None = None
    calls: dict[str, _ShownCall]  # input request key -> the call that question showed


def question(call: PendingCall) -> str:
    arguments = json.dumps(call.arguments, ensure_ascii=False, sort_keys=True, indent=2)
    return (
        f"{call.name} requires your approval before it runs.\nArguments:\n{arguments}\n"
        "Approve to run it with exactly these arguments; decline to leave it not run."
    )


def decision_of(answer: types.ElicitResult) -> Decision:
    if answer.action == "accept":
        return "approved" if (answer.content or {}).get("approve") is True else "denied"
    return "denied" if answer.action == "decline" else "unanswered"


def _caller_key(caller: Caller) -> str:
    identity = json.dumps([caller.user_id, caller.credential_id, caller.scope])
    return hashlib.sha256(identity.encode()).hexdigest()


class Confirmations:
    """One per MCP server: its request-state key, and the nonces of approvals already used."""

    def __init__(self) -> None:
        # A key held by this process only: state minted before a restart is refused, as are the spent nonces
        # forgotten with it. Our callers come from our bearer gate, not mcp's auth context, so the caller is
        # bound inside the state (`AskState.caller`) rather than by the boundary's principal hook.
        self.security = RequestStateSecurity(keys=[os.urandom(32)], ttl=STATE_TTL_SECONDS, bind_principal=None)
        self._spent: dict[str, float] = {}
        # runs asking their own questions on the 2026-07-28 flow, under the same sealed state
        self.held = HeldRuns(STATE_TTL_SECONDS)

    def boundary(self, server_name: str) -> RequestStateBoundary:
        return RequestStateBoundary(self.security, default_audience=server_name)

    @staticmethod
    def multi_round(ctx: ServerRequestContext[Any, Any]) -> bool:
        """Whether this request asks by `InputRequiredResult` (2026-07-28) rather than a request to the client."""
        return ctx.protocol_version in MODERN_PROTOCOL_VERSIONS

    def can_ask(self, ctx: ServerRequestContext[Any, Any]) -> bool:
        """Whether the client declared form elicitation (a bare `elicitation: {}` predates modes and counts)."""
        capabilities = ctx.session.client_capabilities
        elicitation = capabilities.elicitation if capabilities is not None else None
        if elicitation is None or (elicitation.form is None and elicitation.url is not None):
            return False
        return self.multi_round(ctx) or ctx.session.can_send_request

    async def ask_now(self, ctx: ServerRequestContext[Any, Any], call: PendingCall) -> Decision:
        """Ask a 2025-era client while the call waits; a failed request leaves the call unanswered."""
        try:
            answer = await ctx.session.elicit_form(question(call), APPROVE_SCHEMA, related_request_id=ctx.request_id)
        except (MCPError, ValidationError):
            return "unanswered"
        return decision_of(answer)

    def input_required(
        self,
        caller: Caller,
        params: types.CallToolRequestParams,
        calls: Mapping[str, PendingCall],
        *,
        conversation_id: str | None = None,
    ) -> types.InputRequiredResult:
        """Ask on the 2026-07-28 flow: the questions, and the state (sealed by the boundary on its way out)."""
        shown = {key: _ShownCall(call_id=c.call_id, name=c.name, arguments=c.arguments) for key, c in calls.items()}
        state = AskState(
            caller=_caller_key(caller),
            tool=params.name,
            nonce=secrets.token_urlsafe(16),
            conversation_id=conversation_id,
            calls=shown,
        )
        requests: dict[str, types.InputRequest] = {
            key: types.ElicitRequest(
                params=types.ElicitRequestFormParams(message=question(call), requested_schema=APPROVE_SCHEMA)
            )
            for key, call in calls.items()
        }
        meta = {"bifrost/conversationId": conversation_id} if conversation_id is not None else None
        return types.InputRequiredResult(input_requests=requests, request_state=state.model_dump_json(), _meta=meta)

    def resumed(self, caller: Caller, params: types.CallToolRequestParams) -> AskState | None:
        """The state of our earlier round of this call, or None on a first round.

        The boundary has already refused any state we did not seal, that expired, or that was minted for another
        method, tool or arguments; what it hands on is our own plaintext, still checked for the caller.
        """
        if params.request_state is None:
            return None
        try:
            state = AskState.model_validate_json(params.request_state)
        except ValidationError:
            state = None
        if state is None or state.caller != _caller_key(caller) or state.tool != params.name:
            raise MCPError(types.INVALID_PARAMS, "Invalid or expired requestState")
        return state

    def answers(self, state: AskState, params: types.CallToolRequestParams) -> dict[str, Decision] | None:
        """Each asked call's decision (by call id), or None when the retry does not answer every question."""
        responses = params.input_responses or {}
        decisions: dict[str, Decision] = {}
        for key, call in state.calls.items():
            answer = responses.get(key)
            if not isinstance(answer, types.ElicitResult):
                return None
            decisions[call.call_id] = decision_of(answer)
        self._spend(state.nonce)
        return decisions

    @staticmethod
    def shown(state: AskState) -> list[PendingCall]:
        return [PendingCall(c.call_id, c.name, c.arguments) for c in state.calls.values()]

    def _spend(self, nonce: str) -> None:
        now = time.monotonic()
        self._spent = {n: at for n, at in self._spent.items() if now - at < self.security.ttl}
        if nonce in self._spent:
            raise MCPError(types.INVALID_PARAMS, "This approval was already used: call the tool again to be asked")
        self._spent[nonce] = now


__all__ = ["APPROVE_SCHEMA", "Confirmations", "decision_of", "question"]
