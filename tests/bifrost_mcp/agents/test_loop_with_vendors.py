"""The agent loop end to end: the real vendor SDKs against loopback servers, real workflows through a real App."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest

from bifrost.enums import ExecutionStatus
from bifrost.llm import ChatMessage, ToolCall
from bifrost_mcp.agents import AgentEvent, TextDelta, ToolFinished, TurnResult, run_turn, workflow_tools
from bifrost_mcp.ai import ResolvedModel
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.config import ConfigStore
from bifrost_mcp.executions.records import ExecutionRecord
from tests.bifrost_mcp.agents.workflows import ALL, SECRET, Signals
from tests.support.ai import Vendor, system_prompt
from tests.support.loopback import Reply, ToolUse
from tests.support.mcp import opened_app
from tests.support.poll import poll

SESSION = "conv-4b2a"
SYSTEM = "You are the help desk's assistant."
QUESTION = ChatMessage("user", "What is T-42 about?")


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    Signals.reset()
    async with opened_app(tmp_path / "data", functions=ALL) as opened:
        await ConfigStore(opened.host.db, opened.host.secrets).set("GLOBAL", "vendor_api_key", SECRET, is_secret=True)
        yield opened


@pytest.fixture
async def caller(app: App) -> Caller:
    """A member of an organization, not the owner: the runs must carry this identity."""
    org = await app.host.identity.create_org("Acme")
    user = await app.host.identity.create_user("tech@acme.test", "Tech", org_id=org.id)
    return await app.host.callers.for_user(user.id)


@dataclass
class Events:
    seen: list[AgentEvent] = field(default_factory=list)

    async def __call__(self, event: AgentEvent) -> None:
        self.seen.append(event)


async def turn(
    app: App, caller: Caller, model: ResolvedModel, *, max_steps: int = 5, events: Events | None = None, **options: Any
) -> TurnResult:
    return await run_turn(
        model.chat_model,
        model_name=model.name,
        system=SYSTEM,
        history=options.pop("history", [QUESTION]),
        tools=workflow_tools(app, caller, session_id=SESSION),
        max_steps=max_steps,
        on_event=events or Events(),
        **options,
    )


def tool_results(vendor: Vendor, body: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(call id, text, is_error) of every tool result a request carried, in either wire protocol."""
    if vendor.name == "anthropic":
        return [
            (block["tool_use_id"], block["content"], block["is_error"])
            for message in body["messages"]
            if isinstance(message["content"], list)
            for block in message["content"]
            if block["type"] == "tool_result"
        ]
    return [
        (m["tool_call_id"], m["content"].removeprefix("Error: "), m["content"].startswith("Error: "))
        for m in body["messages"]
        if m["role"] == "tool"
    ]


async def records(app: App) -> list[ExecutionRecord]:
    return sorted(await app.host.executions.query(), key=lambda r: r.started_at)


async def test_a_multi_step_turn_streams_its_answer_and_records_the_runs_as_the_caller(
    app: App, caller: Caller, model: ResolvedModel, vendor: Vendor
) -> None:
    vendor.server.push(
        Reply("Let me look.", tool_calls=[ToolUse("get_ticket", {"id": "T-42"}, id="call_a")]),
        Reply(tool_calls=[ToolUse("book_seats", {"event": "repair", "seats": 1}, id="call_b")]),
        Reply("T-42 is a jammed printer; I booked a repair slot."),
    )
    events = Events()

    result = await turn(app, caller, model, events=events)

    assert result.text == "T-42 is a jammed printer; I booked a repair slot."
    assert [(m.role, bool(m.tool_calls)) for m in result.messages] == [
        ("assistant", True), ("tool", False), ("assistant", True), ("tool", False), ("assistant", False),
    ]  # fmt: skip
    assert result.messages[0].content == "Let me look."
    assert "".join(e.text for e in events.seen if isinstance(e, TextDelta)) == "Let me look." + result.text
    assert (result.input_tokens, result.output_tokens, result.steps) == (33, 21, 3)
    third = vendor.server.requests[2].body
    assert system_prompt(vendor.server.requests[2]) == SYSTEM
    assert [(call_id, error) for call_id, _, error in tool_results(vendor, third)] == [
        ("call_a", False), ("call_b", False),
    ]  # fmt: skip
    runs = await records(app)
    assert [(r.workflow_name, r.status) for r in runs] == [
        ("get_ticket", ExecutionStatus.COMPLETED), ("book_seats", ExecutionStatus.COMPLETED),
    ]  # fmt: skip
    assert {(r.session_id, r.executed_by, r.org_id) for r in runs} == {(SESSION, caller.user_id, caller.org_id)}


async def test_two_tool_calls_of_one_step_run_at_the_same_time(
    app: App, caller: Caller, model: ResolvedModel, vendor: Vendor
) -> None:
    # ping and pong each wait (at most 5 s) for the other to start: run one after the other, both would time out
    vendor.server.push(Reply(tool_calls=[ToolUse("ping", {}, id="call_ping"), ToolUse("pong", {}, id="call_pong")]))
    vendor.server.push(Reply("Both answered."))
    events = Events()

    result = await turn(app, caller, model, events=events)

    assert [(m.tool_call_id, m.content, m.is_error) for m in result.messages if m.role == "tool"] == [
        ("call_ping", "ping saw pong", False), ("call_pong", "pong saw ping", False),
    ]  # fmt: skip
    assert {e.call_id for e in events.seen if isinstance(e, ToolFinished)} == {"call_ping", "call_pong"}


async def test_a_failing_call_goes_back_as_an_error_and_the_model_repairs_it(
    app: App, caller: Caller, model: ResolvedModel, vendor: Vendor
) -> None:
    vendor.server.push(
        Reply(tool_calls=[ToolUse("book_seats", {"event": "gala", "seats": 20}, id="call_1")]),
        Reply(tool_calls=[ToolUse("book_seats", {"event": "gala", "seats": 10}, id="call_2")]),
        Reply("Booked 10, the most one booking allows."),
    )

    result = await turn(app, caller, model)

    failed, booked = await records(app)
    second = tool_results(vendor, vendor.server.requests[1].body)
    assert second == [("call_1", f"At most 10 seats per booking; 20 were asked for. (execution {failed.id})", True)]
    assert (failed.status, booked.status) == (ExecutionStatus.FAILED, ExecutionStatus.COMPLETED)
    assert tool_results(vendor, vendor.server.requests[2].body)[-1] == (
        "call_2", "Booked 10 seat(s) for gala.", False,
    )  # fmt: skip
    assert result.text == "Booked 10, the most one booking allows."


async def test_a_turn_that_keeps_calling_tools_stops_at_max_steps(
    app: App, caller: Caller, model: ResolvedModel, vendor: Vendor
) -> None:
    vendor.server.push(*(Reply(tool_calls=[ToolUse("get_ticket", {"id": f"T-{n}"})]) for n in range(2)))

    result = await turn(app, caller, model, max_steps=2)

    assert result.step_limit_reached and len(vendor.server.requests) == 2
    assert result.messages[-1] == ChatMessage("assistant", result.text)
    assert "limit of 2 steps" in result.text


async def test_cancelling_a_turn_cancels_its_running_tool_and_records_it_cancelled(
    app: App, caller: Caller, model: ResolvedModel, vendor: Vendor
) -> None:
    vendor.server.push(Reply(tool_calls=[ToolUse("runs_until_cancelled", {})]))
    finished: list[TurnResult] = []

    async with anyio.create_task_group() as tg:

        async def chat() -> None:
            finished.append(await turn(app, caller, model))

        tg.start_soon(chat)
        with anyio.fail_after(10):
            await Signals.cancellable_started.wait()
        tg.cancel_scope.cancel()

    async def cancelled() -> ExecutionRecord | None:
        runs = await records(app)
        return runs[0] if runs and runs[0].status is ExecutionStatus.CANCELLED else None

    record = await poll(cancelled, what="the tool's run to be recorded as Cancelled")
    assert finished == []
    assert (record.session_id, record.executed_by) == (SESSION, caller.user_id)
    assert app.host.executions.live == {}


async def test_a_long_history_is_trimmed_oldest_turns_first_keeping_calls_with_their_results(
    app: App, caller: Caller, model: ResolvedModel, vendor: Vendor
) -> None:
    call = ToolCall("call_old", "get_ticket", {"id": "T-1"})
    old = [
        ChatMessage("user", "What was T-1? " + "x" * 3_000),
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", "y" * 3_000, tool_call_id="call_old"),
        ChatMessage("assistant", "A broken screen."),
    ]
    recent = [ChatMessage("user", "And T-2?"), ChatMessage("assistant", "A lost badge.")]
    vendor.server.push(Reply("A jammed printer."))

    await turn(app, caller, model, history=[*old, *recent, QUESTION], context_budget_chars=2_000)

    sent = vendor.server.requests[0]
    body = json.dumps(sent.body)
    assert "What was T-1?" not in body and "call_old" not in body
    texts = [m["content"] if isinstance(m["content"], str) else m["content"][0]["text"] for m in sent.body["messages"]
             if m["role"] in ("user", "assistant")]  # fmt: skip
    assert texts == ["And T-2?", "A lost badge.", QUESTION.content]
    assert system_prompt(sent) == SYSTEM


async def test_a_secret_a_tool_read_never_reaches_the_model(
    app: App, caller: Caller, model: ResolvedModel, vendor: Vendor
) -> None:
    owner = await app.host.callers.owner()  # the GLOBAL scope, where the secret is set
    vendor.server.push(Reply(tool_calls=[ToolUse("reads_vendor_key", {})]), Reply("I will not repeat it."))

    await turn(app, owner, model)

    bodies = [json.dumps(r.body) for r in vendor.server.requests]
    assert len(bodies) == 2 and all(SECRET not in b for b in bodies)
    assert tool_results(vendor, vendor.server.requests[1].body)[0][1] == "The vendor key is [REDACTED]"
