from __future__ import annotations

from bifrost.llm import ChatMessage, ToolCall
from bifrost_mcp.agents.tools import ToolOutcome
from bifrost_mcp.agents.transcript import history, records
from bifrost_mcp.conversations.records import Approval, AssistantMessage, ToolResult, UserMessage
from bifrost_mcp.conversations.records import ToolCall as StoredCall

TURN = [
    ChatMessage("user", "Which Acme devices missed patching?"),
    ChatMessage(
        "assistant",
        "Let me check both sites.",
        tool_calls=(ToolCall("c1", "patch_report", {"site": "A"}), ToolCall("c2", "patch_report", {"site": "B"})),
    ),
    ChatMessage("tool", '{"missed": 2}', tool_call_id="c1"),
    ChatMessage("tool", "site B is unreachable (execution e2)", tool_call_id="c2", is_error=True),
    ChatMessage("assistant", "Two devices at site A; site B did not answer."),
]
OUTCOMES = {"c1": ToolOutcome('{"missed": 2}', execution_id="e1"), "c2": ToolOutcome("unreachable", True, "e2")}


def test_a_turn_is_stored_one_record_per_fact_with_the_runs_that_answered_each_call() -> None:
    stored = records(TURN, OUTCOMES)

    assert [type(m).__name__ for m in stored] == [
        "UserMessage", "AssistantMessage", "ToolCall", "ToolCall", "ToolResult", "ToolResult", "AssistantMessage",
    ]  # fmt: skip
    calls = [m for m in stored if isinstance(m, StoredCall)]
    assert [(c.tool_call_id, c.execution_id, c.status) for c in calls] == [
        ("c1", "e1", "completed"),
        ("c2", "e2", "failed"),
    ]
    assert [m.is_error for m in stored if isinstance(m, ToolResult)] == [False, True]


def test_stored_records_read_back_as_the_same_turns_for_the_model() -> None:
    assert history(records(TURN, OUTCOMES)) == TURN


def test_approvals_never_reach_the_model_and_a_call_without_text_is_its_own_turn() -> None:
    stored = [
        UserMessage(text="Onboard Dana"),
        StoredCall(tool_call_id="c1", name="onboard_user", arguments={"name": "Dana"}),
        Approval(tool_call_id="c1", arguments={"name": "Dana"}, decision="approved", decided_by="u1"),
        ToolResult(tool_call_id="c1", text="done"),
        AssistantMessage(text="Dana is onboarded."),
    ]

    turns = history(stored)

    assert [t.role for t in turns] == ["user", "assistant", "tool", "assistant"]
    assert turns[1].content == "" and [c.name for c in turns[1].tool_calls] == ["onboard_user"]
