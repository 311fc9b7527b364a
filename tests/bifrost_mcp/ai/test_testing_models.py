"""bifrost.testing's offline models, through the real ai service and the `bifrost.ai` module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from enum import Enum
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field

from bifrost import ai
from bifrost.errors import ConfigurationError, ValidationError
from bifrost.llm import ChatMessage, ChatRequest, ChatResult, ToolCall, ToolDefinition, model_override
from bifrost.testing import FunctionModel, MockPlatform, TestModel, bound, override_model, sample, test_context
from bifrost.types import AIResponse
from bifrost_mcp.ai import AIView, ProviderClients
from tests.support.ai import Usage, sdk_complete, settings_of


class Priority(Enum):
    LOW = "low"
    HIGH = "high"


class Step(BaseModel):
    title: Annotated[str, Field(min_length=3)]
    done: bool


class Triage(BaseModel):
    id: uuid.UUID
    priority: Priority
    kind: Literal["incident", "request"]
    score: Annotated[int, Field(ge=5, le=9)]
    ratio: Annotated[float, Field(gt=0, lt=1)]
    due: datetime
    steps: Annotated[list[Step], Field(min_length=2)]
    owner: str | None
    note: str = "none"


@pytest.fixture
def offline(clients: ProviderClients) -> Iterator[AIView]:
    """A run with no AI provider configured, bound as the current workflow's platform."""
    service = AIView(settings_of({}), clients)
    ctx = test_context(user_id="u1", email="ada@example.com", name="Ada", scope="org-1", execution_id="exec-1")
    with bound(MockPlatform({"ai": service}), ctx):
        yield service


async def test_a_test_model_answers_ai_complete_with_no_provider_configured(offline: AIView) -> None:
    model = TestModel("Printer jammed.")

    with override_model(model):
        response = await ai.complete("Summarise T-42", system="Be brief.")

    assert response == AIResponse(content="Printer jammed.", input_tokens=4, output_tokens=2, model="test")
    [request] = model.requests
    assert request.system == "Be brief."
    assert [(m.role, m.content) for m in request.messages] == [("user", "Summarise T-42")]


async def test_without_an_override_the_same_call_needs_a_provider(offline: AIView) -> None:
    with pytest.raises(ConfigurationError, match="No AI provider configured"):
        await ai.complete("Summarise T-42")


async def test_the_override_ends_with_its_block(offline: AIView) -> None:
    with override_model(TestModel()):
        assert model_override.get() is not None

    assert model_override.get() is None


async def test_a_structured_request_gets_an_instance_generated_from_the_schema(offline: AIView) -> None:
    with override_model(TestModel()):
        triage = await ai.complete("Triage T-42", response_format=Triage)

    assert isinstance(triage, Triage)
    assert 5 <= triage.score <= 9 and 0 < triage.ratio < 1
    assert len(triage.steps) == 2 and len(triage.steps[0].title) >= 3


async def test_a_structured_request_can_get_the_configured_data(offline: AIView) -> None:
    step = {"title": "Reboot", "done": True}

    with override_model(TestModel(data=step)):
        assert await ai.complete("Next step?", response_format=Step) == Step(title="Reboot", done=True)


async def test_a_test_model_streams_its_text_in_words(offline: AIView) -> None:
    with override_model(TestModel("Once upon a time")):
        chunks = [chunk async for chunk in ai.stream("Tell a story")]

    assert "".join(c.content for c in chunks) == "Once upon a time"
    assert len(chunks) == 5
    assert (chunks[-1].done, chunks[-1].output_tokens) == (True, 4)


async def test_a_function_model_decides_each_reply(offline: AIView) -> None:
    async def shout(request: ChatRequest) -> str:
        return request.messages[-1].content.upper()

    model = FunctionModel(shout)
    with override_model(model):
        response = await ai.complete(messages=[{"role": "user", "content": "hello"}], model="openai:gpt-5.4-mini")

    assert response.content == "HELLO"
    assert model.requests[0].model == "openai:gpt-5.4-mini"


async def test_a_function_model_can_return_a_whole_result(clients: ProviderClients) -> None:
    usage = Usage()
    model = FunctionModel(lambda request: ChatResult(text="ok", input_tokens=100, output_tokens=3, model="fake-1"))
    service = AIView(settings_of({}), clients, model_override=model, record_usage=usage)

    response = await sdk_complete(
        service,
        messages=[{"role": "user", "content": "hi"}],
        system=None,
        response_format=None,
        knowledge=None,
        model=None,
        max_tokens=None,
        temperature=None,
        timeout=None,
    )

    assert response == AIResponse(content="ok", input_tokens=100, output_tokens=3, model="fake-1")
    assert usage.calls == [(100, 3, "override:fake-1")]


async def test_scripted_tool_calls_come_first_then_the_text() -> None:
    tool = ToolDefinition("lookup", "Look up", {"type": "object", "properties": {"id": {"type": "integer"}}})
    call = ToolCall("call_1", "lookup", {"id": 7})
    model = TestModel("Found it.", tool_calls=[call])
    ask = ChatRequest(messages=[], model="m", tools=[tool])

    first = await model.complete(ask)
    after = ChatRequest(
        messages=[
            ChatMessage("assistant", "", tool_calls=(call,)),
            ChatMessage("tool", "id 7: printer", tool_call_id="call_1"),
        ],
        model="m",
        tools=[tool],
    )
    second = await model.complete(after)

    assert (first.tool_calls, first.stop_reason) == ((call,), "tool_use")
    assert (second.text, second.tool_calls) == ("Found it.", ())


async def test_calling_all_tools_generates_arguments_from_their_schemas() -> None:
    tools = [
        ToolDefinition(
            "lookup", "Look up", {"type": "object", "properties": {"id": {"type": "integer", "minimum": 3}}}
        ),
        ToolDefinition("close", "Close", {"type": "object", "properties": {"reason": {"enum": ["fixed", "dupe"]}}}),
    ]

    result = await TestModel(tool_calls="all").complete(ChatRequest(messages=[], model="m", tools=tools))

    assert [(c.name, c.arguments) for c in result.tool_calls] == [("lookup", {"id": 3}), ("close", {"reason": "fixed"})]


def test_samples_validate_against_the_model_they_came_from() -> None:
    assert Triage.model_validate(sample(Triage.model_json_schema())).kind == "incident"


async def test_ai_complete_needs_a_prompt_or_messages(offline: AIView) -> None:
    with pytest.raises(ValidationError, match="needs a prompt or messages"):
        await ai.complete()
    assert issubclass(ValidationError, ValueError)
