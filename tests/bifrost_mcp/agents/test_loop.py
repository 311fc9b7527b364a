"""The agent loop driven offline by bifrost.testing models, with tools defined in the test."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from bifrost.llm import ChatMessage, ChatRequest, ChatResult, ToolCall
from bifrost.testing import FunctionModel, TestModel
from bifrost_mcp.agents import (
    AgentEvent,
    ApprovalRequested,
    HistoryTrimmed,
    StepLimit,
    TextDelta,
    ToolFinished,
    ToolOutcome,
    ToolStarted,
    Usage,
    run_turn,
)

QUESTION = [ChatMessage("user", "What is T-42 about?")]


@dataclass
class Echo:
    """An agent tool answering with its arguments, or raising when told to."""

    name: str = "echo"
    description: str = "Echo the arguments"
    input_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    calls: list[Mapping[str, Any]] = field(default_factory=list)
    requires_approval: bool = False

    async def call(self, arguments: Mapping[str, Any]) -> ToolOutcome:
        self.calls.append(arguments)
        if arguments.get("explode"):
            raise RuntimeError("the echo chamber collapsed")
        return ToolOutcome(f"echo {dict(arguments)}", execution_id="exec-1")


@dataclass
class Events:
    seen: list[AgentEvent] = field(default_factory=list)

    async def __call__(self, event: AgentEvent) -> None:
        self.seen.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.seen if isinstance(e, kind)]


async def test_a_tool_call_is_run_its_result_fed_back_and_the_answer_streamed() -> None:
    model = TestModel("T-42 is a jammed printer.", tool_calls=[ToolCall("call_1", "echo", {"id": "T-42"})])
    events, echo = Events(), Echo()

    turn = await run_turn(
        model, model_name="test", system="Be brief.", history=QUESTION, tools=[echo], max_steps=5, on_event=events
    )

    assert echo.calls == [{"id": "T-42"}]
    assert [m.role for m in turn.messages] == ["assistant", "tool", "assistant"]
    assert turn.messages[1] == ChatMessage("tool", "echo {'id': 'T-42'}", tool_call_id="call_1")
    assert turn.text == "T-42 is a jammed printer." == "".join(e.text for e in events.of(TextDelta))
    assert events.of(ToolStarted) == [ToolStarted("call_1", "echo", {"id": "T-42"})]
    assert events.of(ToolFinished) == [ToolFinished("call_1", ToolOutcome("echo {'id': 'T-42'}", False, "exec-1"))]
    assert len(events.of(Usage)) == turn.steps == 2
    assert model.requests[1].system == "Be brief." and model.requests[1].tools[0].name == "echo"


async def test_an_unknown_tool_becomes_an_error_result_the_model_reads() -> None:
    model = TestModel("Sorry, I cannot.", tool_calls=[ToolCall("call_1", "delete_everything", {})])

    turn = await run_turn(
        model, model_name="test", system=None, history=QUESTION, tools=[Echo()], max_steps=5, on_event=Events()
    )

    result = turn.messages[1]
    assert result.is_error and result.tool_call_id == "call_1"
    assert result.content == "There is no tool named 'delete_everything'. Available tools: echo."
    assert model.requests[1].messages[-1] == result
    assert turn.text == "Sorry, I cannot."


async def test_a_tool_that_raises_becomes_an_error_result_and_the_turn_goes_on() -> None:
    model = TestModel("It broke.", tool_calls=[ToolCall("call_1", "echo", {"explode": True})])

    turn = await run_turn(
        model, model_name="test", system=None, history=QUESTION, tools=[Echo()], max_steps=5, on_event=Events()
    )

    assert turn.messages[1].is_error
    assert turn.messages[1].content == "The tool 'echo' failed: RuntimeError: the echo chamber collapsed"
    assert turn.text == "It broke."


async def test_a_model_that_keeps_calling_tools_is_stopped_at_max_steps_with_a_final_answer() -> None:
    def always_a_tool(request: ChatRequest) -> ChatResult:
        step = len(request.messages)
        return ChatResult(text="", tool_calls=(ToolCall(f"call_{step}", "echo", {"n": step}),), input_tokens=3)

    events = Events()
    turn = await run_turn(
        FunctionModel(always_a_tool), model_name="m", system=None, history=QUESTION, tools=[Echo()], max_steps=3,
        on_event=events,
    )  # fmt: skip

    assert turn.step_limit_reached and turn.steps == 3 and turn.input_tokens == 9
    assert [m.role for m in turn.messages] == ["assistant", "tool"] * 3 + ["assistant"]
    assert turn.messages[-1].content == turn.text
    assert "limit of 3 steps" in turn.text
    assert events.of(StepLimit) == [StepLimit(3)]


async def test_a_long_history_is_trimmed_and_the_trim_reported() -> None:
    old = [ChatMessage("user", "x" * 1_000), ChatMessage("assistant", "y" * 1_000)]
    model, events = TestModel("ok"), Events()

    await run_turn(
        model, model_name="test", system=None, history=[*old, *QUESTION], tools=[], max_steps=2, on_event=events,
        context_budget_chars=500,
    )  # fmt: skip

    assert list(model.requests[0].messages) == QUESTION
    assert events.of(HistoryTrimmed) == [HistoryTrimmed(2)]


async def test_max_steps_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_steps"):
        await run_turn(
            TestModel(), model_name="t", system=None, history=QUESTION, tools=[], max_steps=0, on_event=Events()
        )


async def test_a_call_that_requires_approval_is_held_and_the_turn_ends_on_it() -> None:
    dangerous, harmless = Echo(name="wipe", requires_approval=True), Echo()
    calls = [ToolCall("call_w", "wipe", {"disk": "C:"}), ToolCall("call_e", "echo", {"id": "T-1"})]
    model, events = TestModel("Never reached.", tool_calls=calls), Events()

    turn = await run_turn(
        model, model_name="m", system=None, history=QUESTION, tools=[dangerous, harmless], max_steps=5,
        on_event=events,
    )  # fmt: skip

    assert turn.pending == (calls[0],) and dangerous.calls == [] and harmless.calls == [{"id": "T-1"}]
    assert len(model.requests) == 1 and turn.steps == 1  # nothing more is asked of the model while a call waits
    assert [(m.role, m.tool_call_id) for m in turn.messages] == [("assistant", None), ("tool", "call_e")]
    assert events.of(ApprovalRequested) == [ApprovalRequested("call_w", "wipe", {"disk": "C:"})]
    assert [e.call_id for e in events.of(ToolStarted)] == ["call_e"]
