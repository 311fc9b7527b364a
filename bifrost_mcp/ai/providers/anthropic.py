"""Anthropic Messages API as a ChatModel: text, streaming (SSE), tool use, native structured output."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import anthropic
import httpx2
from anthropic.types import Message, MessageParam, ToolChoiceParam, ToolParam

from bifrost.llm import ChatMessage, ChatRequest, ChatResult, StreamEvent, ToolCall
from bifrost_mcp.ai import errors
from bifrost_mcp.ai.errors import Vendor

logger = logging.getLogger(__name__)

ANTHROPIC = Vendor(
    "Anthropic", "Anthropic Messages API", "anthropic_api_key", "anthropic_base_url", key_env="ANTHROPIC_API_KEY"
)
# The Messages API requires max_tokens; this is the default when the caller gives none.
DEFAULT_MAX_TOKENS = 4096
_TOOL_CHOICES: dict[str, ToolChoiceParam] = {
    "auto": {"type": "auto"},
    "required": {"type": "any"},
    "none": {"type": "none"},
}
# An `error` event inside a 200 stream carries only the error type; these are the statuses it stands for.
_STREAM_ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


class AnthropicChatModel:
    """A ChatModel backed by one `AsyncAnthropic` client (its key and base URL)."""

    def __init__(self, client: anthropic.AsyncAnthropic) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<AnthropicChatModel {self._client.base_url}>"

    async def complete(self, request: ChatRequest) -> ChatResult:
        with self._mapped_errors(request):
            message = await self._client.messages.create(**_arguments(request))
        if not isinstance(message, Message):
            raise errors.malformed_error(ANTHROPIC, "the reply is not a message")
        return _result(message)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        text: list[str] = []
        tools: dict[int, tuple[str, str, list[str]]] = {}
        usage = {"input": 0, "output": 0}
        model, stop_reason, finished = request.model, None, False
        with self._mapped_errors(request):
            events = await self._client.messages.create(**_arguments(request), stream=True)
            async with events:
                async for event in events:
                    if event.type == "message_start":
                        model = event.message.model
                        usage = {"input": event.message.usage.input_tokens, "output": event.message.usage.output_tokens}
                    elif event.type == "content_block_start" and event.content_block.type == "tool_use":
                        tools[event.index] = (event.content_block.id, event.content_block.name, [])
                    elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                        text.append(event.delta.text)
                        yield StreamEvent(event.delta.text)
                    elif event.type == "content_block_delta" and event.delta.type == "input_json_delta":
                        tools[event.index][2].append(event.delta.partial_json)
                    elif event.type == "message_delta":
                        stop_reason = event.delta.stop_reason
                        usage["output"] = event.usage.output_tokens
                        usage["input"] = event.usage.input_tokens or usage["input"]
                    elif event.type == "message_stop":
                        finished = True
        if not finished:
            raise errors.malformed_error(ANTHROPIC, "the stream ended before message_stop")
        calls = tuple(_tool_call(call_id, name, "".join(parts)) for call_id, name, parts in tools.values())
        result = ChatResult(
            text="".join(text),
            tool_calls=calls,
            input_tokens=usage["input"],
            output_tokens=usage["output"],
            model=model,
            stop_reason=stop_reason,
        )
        yield StreamEvent(result=result)

    @contextmanager
    def _mapped_errors(self, request: ChatRequest) -> Iterator[None]:
        try:
            yield
        except anthropic.APITimeoutError:
            raise errors.timeout_error(ANTHROPIC, request.model, request.timeout) from None
        except anthropic.APIConnectionError as err:
            raise errors.connection_error(ANTHROPIC, str(self._client.base_url)) from err
        except anthropic.APIStatusError as err:
            mid_stream = err.status_code < 400
            status = _STREAM_ERROR_STATUS.get(str(err.type), 500) if mid_stream else err.status_code
            # `from None`: the vendor error holds the request (and its auth header) and a body that may echo the key
            raise errors.status_error(
                ANTHROPIC,
                status,
                err.api_message or "",
                code=err.error_code,
                headers=err.response.headers,
                model=request.model,
                secret=self._client.api_key,
                retries=0 if mid_stream else self._client.max_retries,
            ) from None
        except (anthropic.APIResponseValidationError, json.JSONDecodeError):
            raise errors.malformed_error(ANTHROPIC, "invalid JSON") from None
        except httpx2.TimeoutException:
            raise errors.timeout_error(ANTHROPIC, request.model, request.timeout) from None
        except httpx2.TransportError as err:
            raise errors.malformed_error(ANTHROPIC, f"the connection broke mid-stream: {type(err).__name__}") from None


def _arguments(request: ChatRequest) -> dict[str, Any]:
    system = "\n\n".join([request.system or "", *(m.content for m in request.messages if m.role == "system")]).strip()
    arguments: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS,
        "messages": _messages(request.messages),
    }
    if system:
        arguments["system"] = system
    if request.temperature is not None:
        # API version 2026-10-21 rejects every sampling parameter, so temperature cannot be honoured
        logger.info("temperature=%s ignored: the Anthropic Messages API no longer accepts it", request.temperature)
    if request.timeout is not None:
        arguments["timeout"] = request.timeout
    if request.tools:
        tools: list[ToolParam] = [
            {"name": t.name, "description": t.description, "input_schema": t.input_schema} for t in request.tools
        ]
        arguments["tools"] = tools
    if request.tool_choice is not None:
        arguments["tool_choice"] = _TOOL_CHOICES.get(request.tool_choice) or {
            "type": "tool",
            "name": request.tool_choice,
        }
    if request.response_schema is not None:
        schema = anthropic.transform_schema(request.response_schema.schema)
        arguments["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
    return arguments


def _messages(messages: Sequence[ChatMessage]) -> list[MessageParam]:
    converted: list[MessageParam] = []
    for message in messages:
        if message.role == "system":
            continue
        if message.role == "tool":
            block = {
                "type": "tool_result",
                "tool_use_id": message.tool_call_id,
                "content": message.content,
                "is_error": message.is_error,
            }
            last = converted[-1] if converted else None
            # consecutive tool results answer one assistant turn: they travel in one user message
            if last is not None and last["role"] == "user" and isinstance(last["content"], list):
                last["content"].append(cast(Any, block))
            else:
                converted.append({"role": "user", "content": [cast(Any, block)]})
        elif message.role == "assistant" and message.tool_calls:
            blocks: list[Any] = [{"type": "text", "text": message.content}] if message.content else []
            blocks += [
                {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in message.tool_calls
            ]
            converted.append({"role": "assistant", "content": blocks})
        elif message.role == "assistant":
            converted.append({"role": "assistant", "content": message.content})
        else:
            converted.append({"role": "user", "content": message.content})
    return converted


def _tool_call(call_id: str, name: str, raw_input: str) -> ToolCall:
    try:
        arguments = json.loads(raw_input) if raw_input.strip() else {}
    except json.JSONDecodeError:
        raise errors.malformed_error(ANTHROPIC, f"the input of tool call {name!r} is not JSON") from None
    if not isinstance(arguments, dict):
        raise errors.malformed_error(ANTHROPIC, f"the input of tool call {name!r} is not a JSON object")
    return ToolCall(call_id, name, arguments)


def _result(message: Message) -> ChatResult:
    text = "".join(block.text for block in message.content if block.type == "text")
    calls = tuple(
        ToolCall(block.id, block.name, dict(block.input)) for block in message.content if block.type == "tool_use"
    )
    return ChatResult(
        text=text,
        tool_calls=calls,
        input_tokens=message.usage.input_tokens,
        output_tokens=message.usage.output_tokens,
        model=message.model,
        stop_reason=message.stop_reason,
    )
