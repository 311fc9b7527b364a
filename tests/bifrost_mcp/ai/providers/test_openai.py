from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from bifrost.errors import AIError
from bifrost.llm import ChatMessage, ChatRequest, ResponseSchema, ToolCall, ToolDefinition
from bifrost_mcp.ai import ProviderClients
from bifrost_mcp.ai.models import COMPATIBLE
from bifrost_mcp.ai.providers import OpenAIChatModel
from bifrost_mcp.ai.providers._schema import strict_schema
from tests.support.ai import OPENAI_KEY
from tests.support.loopback import Answer, Failure, OpenAIServer, RecordedRequest, Reply, ScriptedServer, ToolUse

MODEL = "gpt-5.4-mini"
TICKET_TOOL = ToolDefinition(
    "get_ticket",
    "Fetch a ticket by id",
    {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
)
QUESTION = ChatMessage("user", "What is T-42 about?")
SENTIMENT = ResponseSchema(
    "Sentiment analysis",
    {"type": "object", "properties": {"sentiment": {"type": "string"}}, "required": ["sentiment"]},
)


def chat_model(server: ScriptedServer, clients: ProviderClients, *, compatible: bool = False) -> OpenAIChatModel:
    client = clients.openai(api_key=OPENAI_KEY, base_url=server.base_url, max_retries=0)
    return OpenAIChatModel(client, vendor=COMPATIBLE, compatible=True) if compatible else OpenAIChatModel(client)


async def test_a_tool_call_round_trip(openai_server: ScriptedServer, clients: ProviderClients) -> None:
    openai_server.push(
        Reply(tool_calls=[ToolUse("get_ticket", {"id": "T-42"}, id="call_01")]),
        Reply("T-42: the printer on floor 2 is jammed."),
    )
    model = chat_model(openai_server, clients)

    asked = await model.complete(ChatRequest(messages=[QUESTION], model=MODEL, tools=[TICKET_TOOL]))
    [call] = asked.tool_calls
    follow_up = [
        QUESTION,
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", "Printer jammed", tool_call_id=call.id),
    ]
    answer = await model.complete(ChatRequest(messages=follow_up, model=MODEL, tools=[TICKET_TOOL]))

    assert call == ToolCall("call_01", "get_ticket", {"id": "T-42"})
    assert asked.stop_reason == "tool_use"
    assert answer.text == "T-42: the printer on floor 2 is jammed."
    first, second = (r.body for r in openai_server.requests)
    assert first["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_ticket",
                "description": "Fetch a ticket by id",
                "parameters": TICKET_TOOL.input_schema,
            },
        }
    ]
    assistant, tool = second["messages"][1:]
    assert assistant["tool_calls"] == [
        {"id": "call_01", "type": "function", "function": {"name": "get_ticket", "arguments": '{"id": "T-42"}'}}
    ]
    assert tool == {"role": "tool", "tool_call_id": "call_01", "content": "Printer jammed"}


async def test_a_streamed_tool_call_is_assembled_from_its_argument_deltas(
    openai_server: ScriptedServer, clients: ProviderClients
) -> None:
    openai_server.push(Reply(tool_calls=[ToolUse("get_ticket", {"id": "T-42", "full": True}, id="call_7")]))

    events = [
        e
        async for e in chat_model(openai_server, clients).stream(
            ChatRequest(messages=[QUESTION], model=MODEL, tools=[TICKET_TOOL], tool_choice="required")
        )
    ]

    result = events[-1].result
    assert result is not None
    assert result.tool_calls == (ToolCall("call_7", "get_ticket", {"id": "T-42", "full": True}),)
    assert result.stop_reason == "tool_use"
    assert openai_server.requests[0].body["tool_choice"] == "required"


async def test_a_stream_asks_for_usage_and_reports_it(openai_server: ScriptedServer, clients: ProviderClients) -> None:
    openai_server.push(Reply("Hi there", input_tokens=9, output_tokens=2))

    events = [e async for e in chat_model(openai_server, clients).stream(ChatRequest(messages=[QUESTION], model=MODEL))]

    assert openai_server.requests[0].body["stream_options"] == {"include_usage": True}
    result = events[-1].result
    assert result is not None and (result.input_tokens, result.output_tokens) == (9, 2)


async def test_structured_output_sends_a_strict_json_schema(
    openai_server: ScriptedServer, clients: ProviderClients
) -> None:
    openai_server.push(Reply('{"sentiment": "positive"}'))

    result = await chat_model(openai_server, clients).complete(
        ChatRequest(messages=[QUESTION], model=MODEL, response_schema=SENTIMENT)
    )

    assert json.loads(result.text) == {"sentiment": "positive"}
    response_format = openai_server.requests[0].body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Sentiment_analysis"
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["schema"]["additionalProperties"] is False


async def test_openai_gets_max_completion_tokens_and_a_compatible_server_max_tokens(
    openai_server: ScriptedServer, clients: ProviderClients
) -> None:
    openai_server.push(Reply("a"), Reply("b"))
    request = ChatRequest(messages=[QUESTION], model=MODEL, system="Be brief.", max_tokens=50, temperature=0.3)

    await chat_model(openai_server, clients).complete(request)
    await chat_model(openai_server, clients, compatible=True).complete(request)

    to_openai, to_compatible = (r.body for r in openai_server.requests)
    assert (to_openai["max_completion_tokens"], to_openai["temperature"]) == (50, 0.3)
    assert "max_tokens" not in to_openai
    assert to_compatible["max_tokens"] == 50
    assert to_openai["messages"][0] == {"role": "system", "content": "Be brief."}


def _rejects_response_format(recorded: RecordedRequest) -> Answer:
    if "response_format" in recorded.body:
        return Failure(400, "response_format json_schema is not supported by this server")
    return Reply('{"sentiment": "neutral"}')


async def test_a_compatible_server_without_json_schema_gets_the_schema_in_the_prompt(clients: ProviderClients) -> None:
    with OpenAIServer(handler=_rejects_response_format) as server:
        result = await chat_model(server, clients, compatible=True).complete(
            ChatRequest(messages=[QUESTION], model="llama3.1", system="Classify.", response_schema=SENTIMENT)
        )

    assert json.loads(result.text) == {"sentiment": "neutral"}
    retried = server.requests[1].body
    assert "response_format" not in retried
    assert retried["messages"][0]["content"].startswith("Classify.\n\nReply with only one JSON value")
    assert '"sentiment"' in retried["messages"][0]["content"]


async def test_openai_itself_does_not_fall_back_when_it_rejects_the_schema(clients: ProviderClients) -> None:
    with OpenAIServer(handler=_rejects_response_format) as server, pytest.raises(AIError, match="rejected the request"):
        await chat_model(server, clients).complete(
            ChatRequest(messages=[QUESTION], model=MODEL, response_schema=SENTIMENT)
        )

    assert len(server.requests) == 1  # the server is stopped, its record remains


class Address(BaseModel):
    city: str
    zip: str | None = None


class Customer(BaseModel):
    name: str
    tier: int = 1
    address: Address
    tags: list[str] = []


def test_the_strict_schema_closes_objects_and_requires_every_property() -> None:
    schema = strict_schema(Customer.model_json_schema())

    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name", "tier", "address", "tags"]
    address = schema["$defs"]["Address"]
    assert (address["additionalProperties"], address["required"]) == (False, ["city", "zip"])
    assert "default" not in address["properties"]["zip"]


def test_the_strict_schema_leaves_the_original_untouched() -> None:
    original = Customer.model_json_schema()

    strict_schema(original)

    assert original == Customer.model_json_schema()
