"""OpenAI Chat Completions as a ChatModel, for OpenAI itself and for OpenAI-compatible servers by base URL.

Structured output uses `response_format: json_schema` (strict on OpenAI). A compatible server (Ollama, vLLM,
LM Studio) that rejects `response_format` with a 400 gets the request again with the schema in the system
prompt instead; the ai service validates the reply either way.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal, cast, overload

import httpx2
import openai
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam

from bifrost.llm import ChatMessage, ChatRequest, ChatResult, StreamEvent, ToolCall
from bifrost_mcp.ai import errors
from bifrost_mcp.ai.errors import Vendor
from bifrost_mcp.ai.providers._schema import schema_instructions, schema_name, strict_schema

logger = logging.getLogger(__name__)

OPENAI = Vendor("OpenAI", "OpenAI Chat Completions API", "openai_api_key", "openai_base_url", key_env="OPENAI_API_KEY")
_STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "function_call": "tool_use"}


class OpenAIChatModel:
    """A ChatModel backed by one `AsyncOpenAI` client. `compatible=True` for servers other than OpenAI's."""

    def __init__(self, client: openai.AsyncOpenAI, *, vendor: Vendor = OPENAI, compatible: bool = False) -> None:
        self._client = client
        self._vendor = vendor
        self._compatible = compatible

    def __repr__(self) -> str:
        return f"<OpenAIChatModel {self._vendor.label} {self._client.base_url}>"

    async def complete(self, request: ChatRequest) -> ChatResult:
        with self._mapped_errors(request):
            try:
                completion = await self._post(request, native=True)
            except openai.BadRequestError as err:
                if not self._falls_back(request, err):
                    raise
                completion = await self._post(request, native=False)
        if not isinstance(completion, ChatCompletion) or not completion.choices:
            raise errors.malformed_error(self._vendor, "the reply has no choices")
        choice = completion.choices[0]
        calls = tuple(
            self._tool_call(call.id, call.function.name, call.function.arguments)
            for call in choice.message.tool_calls or ()
            if call.type == "function"
        )
        usage = completion.usage
        return ChatResult(
            text=choice.message.content or choice.message.refusal or "",
            tool_calls=calls,
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            model=completion.model,
            stop_reason="refusal" if choice.message.refusal else _STOP_REASONS.get(choice.finish_reason),
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        text: list[str] = []
        tools: dict[int, list[str]] = {}  # index -> [id, name, *argument parts]
        input_tokens = output_tokens = 0
        model, finish_reason = request.model, None
        with self._mapped_errors(request):
            try:
                chunks = await self._post(request, native=True, stream=True)
            except openai.BadRequestError as err:
                if not self._falls_back(request, err):
                    raise
                chunks = await self._post(request, native=False, stream=True)
            async with chunks:
                async for chunk in chunks:
                    model = chunk.model or model
                    if chunk.usage is not None:
                        input_tokens, output_tokens = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
                    for choice in chunk.choices[:1]:
                        finish_reason = choice.finish_reason or finish_reason
                        if choice.delta.content:
                            text.append(choice.delta.content)
                            yield StreamEvent(choice.delta.content)
                        for part in choice.delta.tool_calls or ():
                            entry = tools.setdefault(part.index, ["", ""])
                            entry[0] = part.id or entry[0]
                            if part.function is not None:
                                entry[1] = part.function.name or entry[1]
                                entry.append(part.function.arguments or "")
        if finish_reason is None:
            raise errors.malformed_error(self._vendor, "the stream ended before a finish_reason")
        result = ChatResult(
            text="".join(text),
            tool_calls=tuple(self._tool_call(entry[0], entry[1], "".join(entry[2:])) for entry in tools.values()),
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            model=model,
            stop_reason=_STOP_REASONS.get(finish_reason, finish_reason),
        )
        yield StreamEvent(result=result)

    def _falls_back(self, request: ChatRequest, err: openai.BadRequestError) -> bool:
        rejected = "response_format" in str(err.body) or "json_schema" in str(err.body)
        if self._compatible and request.response_schema is not None and rejected:
            logger.info("%s rejected response_format json_schema; asking for JSON in the prompt", self._vendor.label)
            return True
        return False

    @overload
    async def _post(self, request: ChatRequest, *, native: bool) -> ChatCompletion: ...

    @overload
    async def _post(
        self, request: ChatRequest, *, native: bool, stream: Literal[True]
    ) -> openai.AsyncStream[ChatCompletionChunk]: ...

    async def _post(
        self, request: ChatRequest, *, native: bool, stream: bool = False
    ) -> ChatCompletion | openai.AsyncStream[ChatCompletionChunk]:
        """POST /chat/completions with our body as it is, through the SDK's generic `post`.

        `chat.completions.create` first walks the body against the SDK's TypedDicts, each message against
        every variant of the message union: about 0.4 ms a message, paid before every model call of a turn
        (20 ms for a 50-message conversation). Our body is plain JSON already; `post` keeps the SDK's auth,
        retries, errors and stream parsing.
        """
        body = self._arguments(request, native=native)
        if stream:
            body |= {"stream": True, "stream_options": {"include_usage": True}}
        return await self._client.post(
            "/chat/completions",
            body=body,
            cast_to=ChatCompletion,
            options={} if request.timeout is None else {"timeout": request.timeout},
            stream=stream,
            stream_cls=openai.AsyncStream[ChatCompletionChunk],
        )

    def _arguments(self, request: ChatRequest, *, native: bool) -> dict[str, Any]:
        system = request.system or ""
        arguments: dict[str, Any] = {"model": request.model}
        schema = request.response_schema
        if schema is not None and native:
            json_schema = {"name": schema_name(schema.name), "schema": strict_schema(schema.schema), "strict": True}
            arguments["response_format"] = {"type": "json_schema", "json_schema": json_schema}
        elif schema is not None:
            system = f"{system}\n\n{schema_instructions(schema.schema)}".strip()
        arguments["messages"] = _messages(system, request.messages)
        if request.max_tokens is not None:
            # OpenAI's newer models take only max_completion_tokens; compatible servers know max_tokens
            arguments["max_tokens" if self._compatible else "max_completion_tokens"] = request.max_tokens
        if request.temperature is not None:
            arguments["temperature"] = request.temperature
        if request.tools:
            arguments["tools"] = [
                {
                    "type": "function",
                    "function": {"name": t.name, "description": t.description, "parameters": t.input_schema},
                }
                for t in request.tools
            ]
        if request.tool_choice in ("auto", "required", "none"):
            arguments["tool_choice"] = request.tool_choice
        elif request.tool_choice is not None:
            arguments["tool_choice"] = {"type": "function", "function": {"name": request.tool_choice}}
        return arguments

    def _tool_call(self, call_id: str, name: str, raw_arguments: str) -> ToolCall:
        try:
            arguments = json.loads(raw_arguments) if raw_arguments.strip() else {}
        except json.JSONDecodeError:
            raise errors.malformed_error(self._vendor, f"the arguments of tool call {name!r} are not JSON") from None
        if not isinstance(arguments, dict):
            raise errors.malformed_error(self._vendor, f"the arguments of tool call {name!r} are not a JSON object")
        return ToolCall(call_id, name, arguments)

    @contextmanager
    def _mapped_errors(self, request: ChatRequest) -> Iterator[None]:
        vendor, secret = self._vendor, self._client.api_key
        try:
            yield
        except openai.APITimeoutError:
            raise errors.timeout_error(vendor, request.model, request.timeout) from None
        except openai.APIConnectionError as err:
            raise errors.connection_error(vendor, str(self._client.base_url)) from err
        except openai.APIStatusError as err:
            body = err.body if isinstance(err.body, dict) else {}
            # `from None`: the vendor error holds the request (and its auth header) and a body that may echo the key
            raise errors.status_error(
                vendor,
                err.status_code,
                str(body.get("message") or ""),
                code=err.code,
                headers=err.response.headers,
                model=request.model,
                secret=secret,
                retries=self._client.max_retries,
            ) from None
        except openai.APIResponseValidationError:
            raise errors.malformed_error(vendor, "a reply that does not match the API's shape") from None
        except openai.APIError as err:  # an error object inside the stream
            raise errors.stream_error(vendor, errors.redact(err.message, secret)) from None
        except json.JSONDecodeError:
            raise errors.malformed_error(vendor, "invalid JSON") from None
        except httpx2.TimeoutException:
            raise errors.timeout_error(vendor, request.model, request.timeout) from None
        except httpx2.TransportError as err:
            raise errors.malformed_error(vendor, f"the connection broke mid-stream: {type(err).__name__}") from None


def _messages(system: str, messages: Sequence[ChatMessage]) -> list[ChatCompletionMessageParam]:
    converted: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    for message in messages:
        if message.role == "tool":
            content = f"Error: {message.content}" if message.is_error else message.content
            converted.append({"role": "tool", "tool_call_id": message.tool_call_id, "content": content})
        elif message.role == "assistant" and message.tool_calls:
            calls = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
                for c in message.tool_calls
            ]
            converted.append({"role": "assistant", "content": message.content or None, "tool_calls": calls})
        else:
            converted.append({"role": message.role, "content": message.content})
    return cast(list[ChatCompletionMessageParam], converted)
