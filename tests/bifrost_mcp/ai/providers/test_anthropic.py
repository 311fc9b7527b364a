from __future__ import annotations

import json

import pytest

from bifrost.llm import ChatMessage, ChatRequest, ResponseSchema, ToolCall, ToolDefinition
from bifrost_mcp.ai import ProviderClients
from bifrost_mcp.ai.providers import AnthropicChatModel
from tests.support.ai import ANTHROPIC_KEY
from tests.support.loopback import Reply, ScriptedServer, ToolUse

MODEL = "claude-sonnet-5-5"
TICKET_TOOL = ToolDefinition(
    "get_ticket",
    "Fetch a ticket by id",
    {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
)
QUESTION = ChatMessage("user", "What is T-42 about?")


def chat_model(server: ScriptedServer, clients: ProviderClients) -> AnthropicChatModel:
    return AnthropicChatModel(clients.anthropic(api_key=ANTHROPIC_KEY, base_url=server.base_url, max_retries=0))


def follow_up(call: ToolCall, result: str) -> list[ChatMessage]:
    return [
        QUESTION,
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", result, tool_call_id=call.id),
    ]


async def test_a_tool_call_round_trip(anthropic_server: ScriptedServer, clients: ProviderClients) -> None:
    anthropic_server.push(
        Reply(tool_calls=[ToolUse("get_ticket", {"id": "T-42"}, id="toolu_01")]),
        Reply("T-42: the printer on floor 2 is jammed."),
    )
    model = chat_model(anthropic_server, clients)

    asked = await model.complete(ChatRequest(messages=[QUESTION], model=MODEL, tools=[TICKET_TOOL]))
    [call] = asked.tool_calls
    answer = await model.complete(
        ChatRequest(messages=follow_up(call, '{"title": "Printer jammed"}'), model=MODEL, tools=[TICKET_TOOL])
    )

    assert call == ToolCall("toolu_01", "get_ticket", {"id": "T-42"})
    assert asked.stop_reason == "tool_use"
    assert answer.text == "T-42: the printer on floor 2 is jammed."
    first, second = (r.body for r in anthropic_server.requests)
    assert first["tools"] == [
        {"name": "get_ticket", "description": "Fetch a ticket by id", "input_schema": TICKET_TOOL.input_schema}
    ]
    assert second["messages"][1] == {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "toolu_01", "name": "get_ticket", "input": {"id": "T-42"}}],
    }
    assert second["messages"][2] == {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "toolu_01",
                "content": '{"title": "Printer jammed"}',
                "is_error": False,
            }
        ],
    }


async def test_a_streamed_tool_call_is_assembled_from_its_json_deltas(
    anthropic_server: ScriptedServer, clients: ProviderClients
) -> None:
    anthropic_server.push(Reply("Let me look.", tool_calls=[ToolUse("get_ticket", {"id": "T-42", "full": True})]))

    events = [
        e
        async for e in chat_model(anthropic_server, clients).stream(
            ChatRequest(messages=[QUESTION], model=MODEL, tools=[TICKET_TOOL], tool_choice="auto")
        )
    ]

    assert [e.delta for e in events[:-1]] == ["Let", " me", " look."]
    result = events[-1].result
    assert result is not None and result.text == "Let me look."
    assert [(c.name, c.arguments) for c in result.tool_calls] == [("get_ticket", {"id": "T-42", "full": True})]
    assert result.stop_reason == "tool_use"


async def test_tool_results_of_one_turn_travel_in_one_user_message(
    anthropic_server: ScriptedServer, clients: ProviderClients
) -> None:
    anthropic_server.push(Reply("done"))
    calls = (ToolCall("toolu_a", "get_ticket", {"id": "1"}), ToolCall("toolu_b", "get_ticket", {"id": "2"}))
    messages = [
        QUESTION,
        ChatMessage("assistant", "Checking both.", tool_calls=calls),
        ChatMessage("tool", "one", tool_call_id="toolu_a"),
        ChatMessage("tool", "not found", tool_call_id="toolu_b", is_error=True),
    ]

    await chat_model(anthropic_server, clients).complete(
        ChatRequest(messages=messages, model=MODEL, tools=[TICKET_TOOL])
    )

    sent = anthropic_server.requests[0].body["messages"]
    assert sent[1]["content"][0] == {"type": "text", "text": "Checking both."}
    assert [(b["tool_use_id"], b["is_error"]) for b in sent[2]["content"]] == [("toolu_a", False), ("toolu_b", True)]
    assert len(sent) == 3


@pytest.mark.parametrize(
    ("choice", "wire"),
    [("required", {"type": "any"}), ("none", {"type": "none"}), ("get_ticket", {"type": "tool", "name": "get_ticket"})],
)
async def test_tool_choice_is_sent_in_the_messages_api_shape(
    anthropic_server: ScriptedServer, clients: ProviderClients, choice: str, wire: dict[str, str]
) -> None:
    anthropic_server.push(Reply("ok"))

    await chat_model(anthropic_server, clients).complete(
        ChatRequest(messages=[QUESTION], model=MODEL, tools=[TICKET_TOOL], tool_choice=choice)
    )

    assert anthropic_server.requests[0].body["tool_choice"] == wire


async def test_structured_output_uses_the_native_output_format(
    anthropic_server: ScriptedServer, clients: ProviderClients
) -> None:
    anthropic_server.push(Reply('{"sentiment": "positive"}'))
    schema = {"type": "object", "properties": {"sentiment": {"type": "string"}}, "required": ["sentiment"]}

    result = await chat_model(anthropic_server, clients).complete(
        ChatRequest(messages=[QUESTION], model=MODEL, response_schema=ResponseSchema("Analysis", schema))
    )

    assert json.loads(result.text) == {"sentiment": "positive"}
    output_format = anthropic_server.requests[0].body["output_config"]["format"]
    assert output_format["type"] == "json_schema"
    assert output_format["schema"]["additionalProperties"] is False


async def test_system_messages_join_the_system_parameter_and_options_map_to_the_api(
    anthropic_server: ScriptedServer, clients: ProviderClients
) -> None:
    anthropic_server.push(Reply("ok"), Reply("ok"))
    model = chat_model(anthropic_server, clients)
    messages = [ChatMessage("system", "Use British spelling."), QUESTION]

    await model.complete(
        ChatRequest(messages=messages, model=MODEL, system="Be brief.", max_tokens=99, temperature=0.2)
    )
    await model.complete(ChatRequest(messages=[QUESTION], model=MODEL))

    first, second = (r.body for r in anthropic_server.requests)
    assert first["system"] == "Be brief.\n\nUse British spelling."
    assert [m["role"] for m in first["messages"]] == ["user"]
    assert first["max_tokens"] == 99
    assert "temperature" not in first  # the 2026-10-21 API rejects sampling parameters
    assert second["max_tokens"] == 4096
    assert "system" not in second


async def test_the_key_is_sent_and_the_model_has_no_key_in_its_repr(
    anthropic_server: ScriptedServer, clients: ProviderClients
) -> None:
    anthropic_server.push(Reply("ok"))
    model = chat_model(anthropic_server, clients)

    await model.complete(ChatRequest(messages=[QUESTION], model=MODEL))

    assert anthropic_server.requests[0].api_key == ANTHROPIC_KEY
    assert ANTHROPIC_KEY not in repr(model)
