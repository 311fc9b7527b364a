"""A conversation's stored messages as the model's history, and a turn's messages as records to store.

The store keeps one record per fact (the assistant's text, each tool call with the run that answered it,
each result, each approval); the model wants turns (an assistant turn carries its tool calls). Approvals
are for people and the record: they never reach the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bifrost.llm import ChatMessage
from bifrost.llm import ToolCall as ModelToolCall
from bifrost_mcp.agents.tools import ToolOutcome
from bifrost_mcp.conversations.records import AssistantMessage, Message, ToolCall, ToolResult, UserMessage


def history(messages: Iterable[Message]) -> list[ChatMessage]:
    """The model's view of stored `messages`, in order."""
    turns: list[ChatMessage] = []
    for message in messages:
        if isinstance(message, UserMessage):
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
        elif isinstance(message, ToolResult):
            turns.append(
                ChatMessage("tool", message.text, tool_call_id=message.tool_call_id, is_error=message.is_error)
            )
    return turns


def records(turn: Sequence[ChatMessage], outcomes: Mapping[str, ToolOutcome]) -> list[Message]:
    """A turn's new messages as records; each tool call carries the run (`outcomes` by call id) that answered it."""
    stored: list[Message] = []
    for message in turn:
        if message.role == "user":
            stored.append(UserMessage(text=message.content))
        elif message.role == "assistant":
            if message.content or not message.tool_calls:
                stored.append(AssistantMessage(text=message.content))
            for call in message.tool_calls:
                outcome = outcomes.get(call.id)
                stored.append(
                    ToolCall(
                        tool_call_id=call.id,
                        name=call.name,
                        arguments=dict(call.arguments),
                        execution_id=outcome.execution_id if outcome else None,
                        status="pending" if outcome is None else "failed" if outcome.is_error else "completed",
                    )
                )
        elif message.role == "tool" and message.tool_call_id is not None:
            stored.append(
                ToolResult(tool_call_id=message.tool_call_id, text=message.content, is_error=message.is_error)
            )
    return stored
