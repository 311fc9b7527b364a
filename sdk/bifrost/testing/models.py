"""Offline language models for unit tests of AI workflows: no network, no keys, deterministic.

    from bifrost.testing import TestModel, override_model

    async def test_summary_uses_the_ticket():
        model = TestModel("Printer on floor 2 is jammed.")
        with override_model(model):
            assert await summarize_ticket("T-42") == "Printer on floor 2 is jammed."
        assert "T-42" in model.requests[0].messages[-1].content

Both models implement the provider interface (`bifrost.llm.ChatModel`) and record every request they
receive (system prompt, messages, schema, tools) in `.requests`.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from bifrost.llm import ChatModel, ChatRequest, ChatResult, StreamEvent, ToolCall, model_override


class TestModel:
    """Replies `text`; for a structured request, JSON generated from the schema (or `data` when given).

    With `tool_calls` (a list of ToolCall, or "all" to call every offered tool with generated arguments),
    the first turn asks for those calls and the turn after the tool results replies `text`.
    """

    __test__ = False  # a model, not a pytest test class

    def __init__(
        self,
        text: str = "ok",
        *,
        data: Any = None,
        tool_calls: Sequence[ToolCall] | Literal["all"] = (),
        model_name: str = "test",
    ) -> None:
        self.text = text
        self.data = data
        self.tool_calls = tool_calls
        self.model_name = model_name
        self.requests: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> ChatResult:
        self.requests.append(request)
        return self._reply(request)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        result = self._reply(request)
        for word in _words(result.text):
            yield StreamEvent(word)
        yield StreamEvent(result=result)

    def _reply(self, request: ChatRequest) -> ChatResult:
        answered_tools = bool(request.messages) and request.messages[-1].role == "tool"
        if self.tool_calls and request.tools and not answered_tools and request.tool_choice != "none":
            if self.tool_calls == "all":
                calls = tuple(
                    ToolCall(f"call_{i}", t.name, sample(t.input_schema)) for i, t in enumerate(request.tools)
                )
            else:
                calls = tuple(self.tool_calls)
            return _result(request, "", self.model_name, tool_calls=calls)
        if request.response_schema is not None:
            value = self.data if self.data is not None else sample(request.response_schema.schema)
            return _result(request, json.dumps(value), self.model_name)
        return _result(request, self.text, self.model_name)


class FunctionModel:
    """Lets the test decide each reply: `fn(request)` returns a ChatResult or its text (sync or async)."""

    def __init__(
        self,
        fn: Callable[[ChatRequest], ChatResult | str | Awaitable[ChatResult | str]],
        *,
        model_name: str = "function",
    ) -> None:
        self.fn = fn
        self.model_name = model_name
        self.requests: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> ChatResult:
        self.requests.append(request)
        reply = self.fn(request)
        if inspect.isawaitable(reply):
            reply = await reply
        return reply if isinstance(reply, ChatResult) else _result(request, reply, self.model_name)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        result = await self.complete(request)
        if result.text:
            yield StreamEvent(result.text)
        yield StreamEvent(result=result)


@contextmanager
def override_model(model: ChatModel) -> Iterator[ChatModel]:
    """Every `ai.complete` / `ai.stream` inside the block is answered by `model`."""
    token = model_override.set(model)
    try:
        yield model
    finally:
        model_override.reset(token)


def sample(schema: dict[str, Any]) -> Any:
    """A deterministic value valid against `schema` (the JSON Schema subset pydantic emits)."""
    return _sample(schema, schema, 0)


def _sample(node: dict[str, Any], root: dict[str, Any], depth: int) -> Any:
    if "$ref" in node:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _sample(target, root, depth + 1)
    if "const" in node:
        return node["const"]
    if node.get("enum"):
        return node["enum"][0]
    if "default" in node:
        return node["default"]
    for union in ("anyOf", "oneOf", "allOf"):
        if node.get(union):
            variants = [v for v in node[union] if v.get("type") != "null"] or node[union]
            return _sample(variants[0] if depth < 4 else node[union][-1], root, depth + 1)
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in node:
        return {key: _sample(value, root, depth + 1) for key, value in node.get("properties", {}).items()}
    if kind == "array":
        count = max(node.get("minItems", 0), 1 if depth < 4 and node.get("maxItems", 1) > 0 else 0)
        return [_sample(node.get("items", {}), root, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        return _number(node, kind)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return _string(node)


def _number(node: dict[str, Any], kind: str) -> int | float:
    step = 1 if kind == "integer" else 0.5
    value: int | float = 0 if kind == "integer" else 0.0
    if "minimum" in node:
        value = max(value, node["minimum"])
    if "exclusiveMinimum" in node:
        value = max(value, node["exclusiveMinimum"] + step)
    if "maximum" in node:
        value = min(value, node["maximum"])
    if "exclusiveMaximum" in node:
        value = min(value, node["exclusiveMaximum"] - step)
    return int(value) if kind == "integer" else float(value)


_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def _string(node: dict[str, Any]) -> str:
    if node.get("format") in _FORMATS:
        return _FORMATS[node["format"]]
    length: int = max(node.get("minLength", 0), 1)
    return "a" * min(length, int(node.get("maxLength", length)))


def _result(request: ChatRequest, text: str, model: str, *, tool_calls: tuple[ToolCall, ...] = ()) -> ChatResult:
    prompt = " ".join([request.system or "", *(m.content for m in request.messages)])
    return ChatResult(
        text=text,
        tool_calls=tool_calls,
        input_tokens=len(prompt.split()),
        output_tokens=len(text.split()) + len(tool_calls),
        model=model,
        stop_reason="tool_use" if tool_calls else "end_turn",
    )


def _words(text: str) -> Iterator[str]:
    """`text` in word-sized deltas that join back to it exactly."""
    start = 0
    for index in range(1, len(text)):
        if text[index] == " " and text[index - 1] != " ":
            yield text[start:index]
            start = index
    if text:
        yield text[start:]


__all__ = ["FunctionModel", "TestModel", "override_model", "sample"]
