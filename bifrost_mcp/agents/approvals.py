"""Approval before a dangerous action: a call of a `requires_approval` workflow waits for the chatting person.

The loop holds such a call and ends the turn. Nothing waits in memory for a person: the state is the
conversation's records (the call `awaiting_approval`, a pending Approval), so any front end, another host, or a
restart in between can carry the decision. That is the shape of pydantic-ai's deferred tool calls and of
AG-UI's interrupt outcome. A decision (the web page's buttons, the terminal's y/n, "approve"/"deny" typed as the
next message, an MCP client's elicitation) releases the call: approved runs it with exactly the arguments the
person was shown, which are the stored ones; denied and unanswered never run it, and the model reads why as
the call's result.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bifrost_mcp.conversations.records import Approval, Decision, Message, ToolCall

APPROVE_WORDS = frozenset({"approve", "approved", "yes", "y"})
DENY_WORDS = frozenset({"deny", "denied", "no", "n"})

NOT_RUN = {
    "denied": "The user denied this call, so it was not run. Do not call it again unless the user asks you to.",
    "unanswered": "This call needed the user's approval and did not get it (the user wrote something else "
    "instead, or their client could not ask), so it was not run.",
}


@dataclass(frozen=True, slots=True)
class PendingCall:
    """A call waiting for a decision: what a front end shows the person, exactly as it will run."""

    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Waiting:
    """A held call's two records: the call (its status changes) and the approval (its decision)."""

    call: ToolCall
    approval: Approval

    @property
    def pending(self) -> PendingCall:
        return PendingCall(self.call.tool_call_id, self.call.name, dict(self.approval.arguments))

    def decided(self, decision: Decision, user_id: str, at: datetime) -> tuple[Approval, ToolCall]:
        approval = self.approval.model_copy(update={"decision": decision, "decided_by": user_id, "decided_at": at})
        return approval, self.call.model_copy(update={"status": decision})


def waiting_in(messages: Iterable[Message]) -> list[Waiting]:
    """The calls of a conversation still waiting for a decision, in the order they were asked for."""
    calls: dict[str, ToolCall] = {}
    waiting: list[Waiting] = []
    for message in messages:
        if isinstance(message, ToolCall):
            calls[message.tool_call_id] = message
        elif isinstance(message, Approval) and message.decision == "pending":
            call = calls.get(message.tool_call_id)
            if call is not None:
                waiting.append(Waiting(call, message))
    return waiting


def decision_in(text: str) -> Decision | None:
    """The decision a typed reply carries ("approve", "deny", yes, no), or None for any other message."""
    word = text.strip().strip(".!").lower()
    if word in APPROVE_WORDS:
        return "approved"
    if word in DENY_WORDS:
        return "denied"
    return None


def prompt(pending: Sequence[PendingCall]) -> str:
    """What a text-only front end says when a turn ends on held calls: each call, exactly, and how to answer."""
    lines = [
        f"Approval needed: {p.name} with {json.dumps(p.arguments, ensure_ascii=False, sort_keys=True)}" for p in pending
    ]
    which = "it" if len(pending) == 1 else "them"
    return "\n".join([*lines, f'Reply "approve" to run {which} or "deny" to cancel.'])
