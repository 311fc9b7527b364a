"""A conversation's stored messages as the model's history, and a turn's messages as records to store.

The store keeps one record per fact (the assistant's text, each tool call with the run that answered it,
each result, each approval); the model wants turns (an assistant turn carries its tool calls). Approvals
are for people and the record: they never reach the model, nor does a user's "approve" that decided one (the
model reads the released call's result instead, right after the call, as every provider requires).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bifrost.llm import ChatMessage
from bifrost.llm import ToolCall as ModelToolCall
from bifrost_mcp.agents.tools import ToolOutcome
from bifrost_mcp.conversations.records import (
    Approval,
    AssistantMessage,
    Message,
    ToolCall,
    ToolResult,
    UserMessage,
)

NO_RESULT = "This call has no recorded result: it was interrupted before it finished."


def history(messages: Iterable[Message]) -> list[ChatMessage]:
    """The model's view of stored `messages`, in order.

    Each call's result follows the assistant turn that made it, wherever it was stored (a call released by an
    approval gets its result after the person's next message), because every provider requires that order; a
    call with no stored result gets one saying so rather than a request the provider would refuse.
    """
    stored = list(messages)
    results = {m.tool_call_id: m for m in stored if isinstance(m, ToolResult)}
    turns: list[ChatMessage] = []
    for message in stored:
        if isinstance(message, UserMessage):
            if not message.approval_reply:
                turns.append(ChatMessage("user", message.text))
        elif isinstance(message, AssistantMessage):
            turns.append(ChatMessage("assistant", message.text))
        elif isinstance(message, ToolCall):
            call = ModelToolCall(message.tool_call_id, message.name, dict(message.arguments))
            last = turns[-1] if turns and turns[-1].role == "assistant" else None
            if last is not None:  # the calls of one step travel with the text the model said before them
                turns[-1] = ChatMessage("assistant", last.content, tool_calls=(*last.tool_calls, call))
            else:
                turns.append(ChatMessage("assistant", "", tool_calls=(call,)))
    return [message for turn in turns for message in _with_results(turn, results)]


def _with_results(turn: ChatMessage, results: Mapping[str, ToolResult]) -> list[ChatMessage]:
    answered = [turn]
    for call in turn.tool_calls:
        result = results.get(call.id)
        text, is_error = (result.text, result.is_error) if result is not None else (NO_RESULT, True)
        answered.append(ChatMessage("tool", text, tool_call_id=call.id, is_error=is_error))
    return answered


def records(
    turn: Sequence[ChatMessage], outcomes: Mapping[str, ToolOutcome], held: Iterable[str] = ()
) -> list[Message]:
    """A turn's new messages as records; each tool call carries the run (`outcomes` by call id) that answered it.

    A call in `held` (ids) waits for approval: its record says so, and a pending Approval follows the calls.
    """
    waiting = set(held)
    stored: list[Message] = []
    for message in turn:
        if message.role == "user":
            stored.append(UserMessage(text=message.content))
        elif message.role == "assistant":
            if message.content or not message.tool_calls:
                stored.append(AssistantMessage(text=message.content))
            for call in message.tool_calls:
                stored.append(call_record(call, outcomes.get(call.id), held=call.id in waiting))
            stored.extend(
                Approval(tool_call_id=c.id, name=c.name, arguments=dict(c.arguments))
                for c in message.tool_calls
                if c.id in waiting
            )
        elif message.role == "tool" and message.tool_call_id is not None:
            stored.append(
                ToolResult(tool_call_id=message.tool_call_id, text=message.content, is_error=message.is_error)
            )
    return stored


def call_record(call: ModelToolCall, outcome: ToolOutcome | None, *, held: bool = False) -> ToolCall:
    if held:
        status = "awaiting_approval"
    else:
        status = "pending" if outcome is None else "failed" if outcome.is_error else "completed"
    return ToolCall(
        tool_call_id=call.id,
        name=call.name,
        arguments=dict(call.arguments),
        execution_id=outcome.execution_id if outcome else None,
        status=status,
    )
