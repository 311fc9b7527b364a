"""One turn of a conversation with an agent: the model streams, calls tools, reads their results, answers.

A step is one model call; when it asks for tools they all run concurrently, their results go back as `tool`
messages (failures included, marked is_error so the model can repair its call) and the next step begins. The
turn ends when the model answers without calling a tool, or at `max_steps`, or when the model asked for a
tool that requires approval: the step's other calls run, and the turn ends with those calls `pending` for
the person to decide (the conversation resumes with their results, see `agents.approvals`). Cancelling
the turn cancels its running tools (the runner records them Cancelled) and propagates; a provider error
(bifrost.errors.AIError) propagates too. History is trimmed to the context budget with the strategy of `agents.budget`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import anyio

from bifrost.errors import AIProviderError
from bifrost.llm import ChatMessage, ChatModel, ChatRequest, ChatResult, ToolCall
from bifrost_mcp.agents.budget import DEFAULT_CONTEXT_BUDGET_CHARS, fit
from bifrost_mcp.agents.events import (
    ApprovalRequested,
    HistoryTrimmed,
    OnEvent,
    StepLimit,
    TextDelta,
    ToolFinished,
    ToolStarted,
    Usage,
)
from bifrost_mcp.agents.tools import AgentTool, ToolOutcome, definition
from bifrost_mcp.runner.errors import describe_exception

STEP_LIMIT_TEXT = (
    "I stopped here: this turn reached its limit of {max_steps} steps before I finished. "
    "Ask me to continue if you want me to go on."
)


@dataclass(frozen=True, slots=True)
class TurnResult:
    """What a turn produced, for the caller to store and bill.

    `messages`: the new messages in order (assistant text and tool calls, then tool results); `text`: the final
    answer; the tokens summed over all the turn's model calls; `steps`: how many model calls it made;
    `pending`: the calls held for approval, which have no result yet (the turn ended on them).
    """

    messages: tuple[ChatMessage, ...]
    text: str
    input_tokens: int
    output_tokens: int
    steps: int
    step_limit_reached: bool = False
    pending: tuple[ToolCall, ...] = ()


async def run_turn(
    model: ChatModel,
    *,
    model_name: str,
    system: str | None,
    history: Sequence[ChatMessage],
    tools: Sequence[AgentTool],
    max_steps: int,
    on_event: OnEvent,
    context_budget_chars: int = DEFAULT_CONTEXT_BUDGET_CHARS,
) -> TurnResult:
    """Run one turn; `model_name` is the provider's model name.

    `history` ends with the user's new message, or with the results of the calls a decision released.
    """
    if max_steps < 1:
        raise ValueError("max_steps must be at least 1")
    by_name = {tool.name: tool for tool in tools}
    definitions = [definition(tool) for tool in tools]
    new: list[ChatMessage] = []
    input_tokens = output_tokens = 0
    trimmed_reported = False
    for step in range(1, max_steps + 1):
        messages, dropped = fit(system, [*history, *new], context_budget_chars)
        if dropped and not trimmed_reported:
            trimmed_reported = True
            await on_event(HistoryTrimmed(dropped))
        request = ChatRequest(messages=messages, model=model_name, system=system, tools=definitions)
        result = await _stream(model, request, on_event)
        input_tokens += result.input_tokens
        output_tokens += result.output_tokens
        await on_event(Usage(result.input_tokens, result.output_tokens, result.model or model_name))
        new.append(ChatMessage("assistant", result.text, tool_calls=result.tool_calls))
        if not result.tool_calls:
            return TurnResult(tuple(new), result.text, input_tokens, output_tokens, step)
        held = [call for call in result.tool_calls if _needs_approval(call, by_name)]
        for call in held:
            await on_event(ApprovalRequested(call.id, call.name, dict(call.arguments)))
        held_ids = {call.id for call in held}
        new.extend(await run_calls([c for c in result.tool_calls if c.id not in held_ids], by_name, on_event))
        if held:
            return TurnResult(tuple(new), result.text, input_tokens, output_tokens, step, pending=tuple(held))
    # The model still wanted tools: end with an answer that says why, so the conversation never ends on a tool.
    text = STEP_LIMIT_TEXT.format(max_steps=max_steps)
    await on_event(StepLimit(max_steps))
    await on_event(TextDelta(text))
    new.append(ChatMessage("assistant", text))
    return TurnResult(tuple(new), text, input_tokens, output_tokens, max_steps, step_limit_reached=True)


async def _stream(model: ChatModel, request: ChatRequest, on_event: OnEvent) -> ChatResult:
    result: ChatResult | None = None
    events = model.stream(request)
    try:
        async for event in events:
            if event.delta:
                await on_event(TextDelta(event.delta))
            if event.result is not None:
                result = event.result
    finally:
        aclose = getattr(events, "aclose", None)  # close the vendor's stream (and its connection) at once
        if aclose is not None:
            await aclose()
    if result is None:
        raise AIProviderError("the model's stream ended without its final result")
    return result


def _needs_approval(call: ToolCall, by_name: Mapping[str, AgentTool]) -> bool:
    tool = by_name.get(call.name)
    return tool is not None and tool.requires_approval


async def run_calls(
    calls: Sequence[ToolCall], by_name: Mapping[str, AgentTool], on_event: OnEvent
) -> list[ChatMessage]:
    """Run `calls` concurrently, approval or not (the caller decided); results come in the order of the calls."""
    outcomes: list[ToolOutcome | None] = [None] * len(calls)

    async def run(index: int, call: ToolCall) -> None:
        outcome = await _call(call, by_name)
        outcomes[index] = outcome
        await on_event(ToolFinished(call.id, outcome))

    for call in calls:
        await on_event(ToolStarted(call.id, call.name, call.arguments))
    if len(calls) == 1:  # the common step: a task group would only add a task's start-up to every tool call
        await run(0, calls[0])
    else:
        async with anyio.create_task_group() as tg:
            for index, call in enumerate(calls):
                tg.start_soon(run, index, call)
    return [
        ChatMessage("tool", outcome.text, tool_call_id=call.id, is_error=outcome.is_error)
        for call, outcome in zip(calls, outcomes, strict=True)
        if outcome is not None
    ]


async def _call(call: ToolCall, by_name: Mapping[str, AgentTool]) -> ToolOutcome:
    tool = by_name.get(call.name)
    if tool is None:
        available = ", ".join(sorted(by_name)) or "none"
        return ToolOutcome(f"There is no tool named {call.name!r}. Available tools: {available}.", is_error=True)
    try:
        return await tool.call(call.arguments)
    except Exception as exc:  # a tool's crash is the model's to read and work around, not the turn's end
        return ToolOutcome(f"The tool {call.name!r} failed: {describe_exception(exc)}", is_error=True)
