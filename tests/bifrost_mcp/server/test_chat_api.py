"""The web page's chat API over real HTTP: AG-UI events for one turn, the execution records behind its steps."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from bifrost.enums import ExecutionStatus
from bifrost.llm import ToolCall
from bifrost.testing import TestModel, override_model
from bifrost_mcp.app import App
from bifrost_mcp.conversations.records import AssistantMessage, ToolResult, UserMessage
from bifrost_mcp.conversations.records import ToolCall as StoredCall
from tests.support.approvals import deleting_model
from tests.support.chat_http import ChatServed, chat_app, chat_serving
from tests.support.poll import poll

LOOKUP = TestModel("Ticket T-1 is open.", tool_calls=[ToolCall("c1", "lookup_ticket", {"ticket": "T-1"})])


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with chat_app(tmp_path) as opened:
        yield opened


def run_input(text: str, *, thread: str | None = None, agent: str | None = "helpdesk") -> dict[str, Any]:
    return {
        "threadId": thread,
        "runId": "run-1",
        "messages": [
            {"id": "m0", "role": "assistant", "content": "earlier"},
            {"id": "m1", "role": "user", "content": text},
        ],
        "forwardedProps": {"agent": agent} if agent else {},
    }


async def chat(served: ChatServed, body: dict[str, Any], token: str | None = None) -> tuple[httpx2.Response, list[Any]]:
    """POST /api/chat; the response and its events (none when it did not stream)."""
    headers = {"Authorization": f"Bearer {token or served.ada}"}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        response = await http.post(f"{served.base}/api/chat", json=body)
    if not response.headers.get("content-type", "").startswith("text/event-stream"):
        return response, []
    frames = [frame for frame in response.text.split("\n\n") if frame]
    assert all(frame.startswith("data: ") for frame in frames)
    return response, [json.loads(frame.removeprefix("data: ")) for frame in frames]


async def test_a_turn_streams_ag_ui_events_and_stores_the_conversation_with_its_tool_runs(app: App) -> None:
    with override_model(LOOKUP):
        async with chat_serving(app) as served:
            response, events = await chat(served, run_input("Is T-1 open?"))

    assert response.status_code == 200
    types = [e["type"] for e in events]
    assert types == [
        "RUN_STARTED",
        "TOOL_CALL_START",
        "TOOL_CALL_ARGS",
        "TOOL_CALL_END",
        "TOOL_CALL_RESULT",
        "CUSTOM",
        "TEXT_MESSAGE_START",
        *["TEXT_MESSAGE_CONTENT"] * (len(types) - 10),
        "TEXT_MESSAGE_END",
        "CUSTOM",
        "RUN_FINISHED",
    ]
    usage = events[-2]
    assert usage["name"] == "bifrost.usage" and usage["value"]["stepLimitReached"] is False
    assert usage["value"]["inputTokens"] > 0 and usage["value"]["outputTokens"] > 0
    started, call_start, args, _, result, step = events[:6]
    thread_id = started["threadId"]
    assert started["runId"] == events[-1]["runId"] == "run-1" and events[-1]["threadId"] == thread_id
    assert (call_start["toolCallId"], call_start["toolCallName"]) == ("c1", "lookup_ticket")
    assert json.loads(args["delta"]) == {"ticket": "T-1"}
    assert result["toolCallId"] == "c1" and '"status": "open"' in result["content"] and result["messageId"]
    assert step["name"] == "bifrost.tool_step" and step["value"]["toolCallId"] == "c1"
    assert step["value"]["isError"] is False
    text = [e for e in events if e["type"].startswith("TEXT_MESSAGE")]
    assert {e["messageId"] for e in text} == {text[0]["messageId"]} and text[0]["role"] == "assistant"
    assert "".join(e.get("delta", "") for e in text) == "Ticket T-1 is open."

    record = await app.host.executions.get(step["value"]["executionId"])
    assert record is not None and record.session_id == thread_id and record.executed_by == served.ada_id
    conversation = await app.host.conversations.get(thread_id)
    assert conversation is not None and conversation.user_id == served.ada_id and conversation.agent == "helpdesk"
    assert [type(m) for m in conversation.messages] == [UserMessage, StoredCall, ToolResult, AssistantMessage]
    assert conversation.messages[0].text == "Is T-1 open?"  # type: ignore[union-attr]


async def test_the_page_reads_each_tool_steps_execution_and_nobody_elses(app: App) -> None:
    with override_model(LOOKUP):
        async with chat_serving(app) as served:
            _, events = await chat(served, run_input("Is T-1 open?"))
            execution_id = next(e for e in events if e["type"] == "CUSTOM")["value"]["executionId"]
            async with httpx2.AsyncClient() as http:
                url = f"{served.base}/api/executions/"
                mine = await http.get(url + execution_id, headers={"Authorization": f"Bearer {served.ada}"})
                theirs = await http.get(url + execution_id, headers={"Authorization": f"Bearer {served.bob}"})
                unknown = await http.get(url + "no-such-run", headers={"Authorization": f"Bearer {served.bob}"})

    assert mine.status_code == 200
    record = mine.json()
    assert (record["execution_id"], record["workflow_name"]) == (execution_id, "lookup_ticket")
    assert record["session_id"] == events[0]["threadId"] and record["status"] == ExecutionStatus.COMPLETED.value
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["error_description"].replace(execution_id, "X") == unknown.json()["error_description"].replace(
        "no-such-run", "X"
    )


async def test_a_thread_continues_for_its_owner_and_reads_like_an_unknown_one_for_anyone_else(app: App) -> None:
    with override_model(TestModel("ok")):
        async with chat_serving(app) as served:
            _, first = await chat(served, run_input("Hello"))
            thread_id = first[0]["threadId"]
            _, again = await chat(served, run_input("Again", thread=thread_id))
            theirs, _ = await chat(served, run_input("Let me in", thread=thread_id), served.bob)
            unknown, _ = await chat(served, run_input("Let me in", thread="no-such-thread"), served.bob)

    assert again[0]["threadId"] == thread_id and again[-1]["type"] == "RUN_FINISHED"
    conversation = await app.host.conversations.get(thread_id)
    assert conversation is not None
    assert [m.text for m in conversation.messages if isinstance(m, UserMessage)] == ["Hello", "Again"]
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["error_description"].replace(thread_id, "X") == unknown.json()["error_description"].replace(
        "no-such-thread", "X"
    )


async def test_a_hidden_or_unknown_agent_is_404_and_an_empty_message_400_before_any_stream(app: App) -> None:
    with override_model(TestModel("ok")):
        async with chat_serving(app) as served:
            hidden, _ = await chat(served, run_input("hi", agent="technicians"))
            unknown, _ = await chat(served, run_input("hi", agent="nobody"))
            empty, _ = await chat(served, run_input("  "))
            not_json, _ = await chat(served, {"messages": "hi"})
            _, tech = await chat(served, run_input("hi", agent="technicians"), served.tech)

    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["error_description"].replace("technicians", "X") == unknown.json()[
        "error_description"
    ].replace("nobody", "X")
    assert empty.status_code == not_json.status_code == 400
    assert tech[-1]["type"] == "RUN_FINISHED"


async def test_a_thread_continued_with_another_agent_is_400_before_any_stream(app: App) -> None:
    with override_model(TestModel("ok")):
        async with chat_serving(app) as served:
            _, events = await chat(served, run_input("hi"), served.tech)
            thread_id = events[0]["threadId"]
            wrong, wrong_events = await chat(
                served, run_input("again", thread=thread_id, agent="technicians"), served.tech
            )

    assert wrong.status_code == 400 and wrong_events == []
    assert "is with agent 'helpdesk', not 'technicians'" in wrong.json()["error_description"]
    conversation = await app.host.conversations.get(thread_id)
    assert conversation is not None
    assert [m.text for m in conversation.messages if isinstance(m, UserMessage)] == ["hi"]  # nothing stored


async def test_the_default_agent_is_the_assistant(app: App) -> None:
    with override_model(TestModel("ok")):
        async with chat_serving(app) as served:
            _, events = await chat(served, run_input("hi", agent=None))
    conversation = await app.host.conversations.get(events[0]["threadId"])
    assert conversation is not None and conversation.agent == "assistant"


async def test_a_turn_without_a_model_ends_in_run_error_saying_why(app: App) -> None:
    async with chat_serving(app) as served:
        response, events = await chat(served, run_input("hi"))
    assert response.status_code == 200
    assert [e["type"] for e in events] == ["RUN_STARTED", "RUN_ERROR"]
    assert events[-1]["message"]


async def test_a_client_that_disconnects_cancels_the_turn_and_its_running_tool(app: App) -> None:
    model = TestModel("never", tool_calls=[ToolCall("c1", "slow_lookup", {"ticket": "T-9"})])
    with override_model(model):
        async with chat_serving(app) as served, httpx2.AsyncClient(timeout=30) as http:
            headers = {"Authorization": f"Bearer {served.ada}"}
            async with http.stream("POST", f"{served.base}/api/chat", json=run_input("T-9?"), headers=headers) as r:
                async for line in r.aiter_lines():
                    if '"TOOL_CALL_END"' in line:
                        break
                await poll(lambda: app.host.executions.query(workflow_name="slow_lookup"), what="the tool's run")

            async def cancelled() -> bool:
                records = await app.host.executions.query(workflow_name="slow_lookup")
                return records[0].status == ExecutionStatus.CANCELLED

            await poll(cancelled, what="the run to be cancelled")


@pytest.mark.parametrize(
    ("headers", "status", "reason"),
    [
        ({}, 401, "missing bearer token"),
        ({"Authorization": "Bearer bft_not-a-token-we-issued"}, 401, "unknown token"),
        ({"X-Bifrost-Org": "Acme"}, 403, "only platform admins"),
    ],
)
async def test_the_api_refuses_tokens_exactly_as_mcp_does(
    app: App, headers: dict[str, str], status: int, reason: str
) -> None:
    async with chat_serving(app) as served, httpx2.AsyncClient() as http:
        if "X-Bifrost-Org" in headers:
            headers = {**headers, "Authorization": f"Bearer {served.ada}"}
        answers = [
            await http.post(f"{served.base}/api/chat", json=run_input("hi"), headers=headers),
            await http.get(f"{served.base}/api/executions/x", headers=headers),
            await http.post(f"{served.base}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=headers),
        ]
    assert [a.status_code for a in answers] == [status] * 3
    assert len({a.headers["www-authenticate"] for a in answers}) == 1
    assert reason in answers[0].json()["error_description"]


def resume_input(thread: str | None, *entries: dict[str, Any]) -> dict[str, Any]:
    return {"threadId": thread, "runId": "run-2", "messages": [], "resume": list(entries)}


@pytest.mark.parametrize("approved", [True, False])
async def test_a_held_call_ends_the_run_with_an_interrupt_and_a_resume_decides_it(app: App, approved: bool) -> None:
    with override_model(deleting_model()):
        async with chat_serving(app) as served:
            _, first = await chat(served, run_input("Delete T-7"))
            thread_id = first[0]["threadId"]
            answer = {"interruptId": "c1", "status": "resolved", "payload": {"approved": approved}}
            theirs, _ = await chat(served, resume_input(thread_id, answer), served.bob)
            no_thread, _ = await chat(served, resume_input(None, answer))
            ran_before = await app.host.executions.query(workflow_name="delete_ticket")
            _, second = await chat(served, resume_input(thread_id, answer))

    assert [e["type"] for e in first] == [
        "RUN_STARTED", "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "CUSTOM", "RUN_FINISHED",
    ]  # fmt: skip
    assert first[-1]["outcome"] == {
        "type": "interrupt",
        "interrupts": [{
            "id": "c1", "reason": "tool_approval", "message": 'Run delete_ticket with {"ticket": "T-7"}?',
            "toolCallId": "c1",
            "responseSchema": {
                "type": "object",
                "properties": {
                    "approved": {"type": "boolean", "description": "Run the call with exactly these arguments"}
                },
                "required": ["approved"],
            },
        }],
    }  # fmt: skip
    assert ran_before == []  # neither the interrupt, nor someone else's answer, nor one without a thread ran it
    assert theirs.status_code == 404 and no_thread.status_code == 400
    decision = "approved" if approved else "denied"
    assert second[1] == {
        "type": "CUSTOM",
        "name": "bifrost.approval",
        "value": {"toolCallId": "c1", "decision": decision},
    }
    assert "TOOL_CALL_START" not in [e["type"] for e in second]  # the page already shows the call
    assert second[-1]["type"] == "RUN_FINISHED" and "outcome" not in second[-1]
    runs = await app.host.executions.query(workflow_name="delete_ticket")
    text = "".join(e.get("delta", "") for e in second if e["type"] == "TEXT_MESSAGE_CONTENT")
    if approved:
        (run,) = runs
        assert (run.input_data, run.executed_by, run.session_id) == ({"ticket": "T-7"}, served.ada_id, thread_id)
        step = next(e for e in second if e.get("name") == "bifrost.tool_step")
        assert step["value"]["executionId"] == run.id and text == "Result: deleted T-7"
    else:
        assert runs == [] and text.startswith("Result: The user denied this call, so it was not run.")
