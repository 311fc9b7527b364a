"""`ai.complete` and `ai.stream` answered by the model of `bifrost.testing.override_model`, as the host does.

Without an override there is no model to ask, and without the host there is no knowledge prompt to build:
both raise NotAvailableError saying what to do instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, cast

from bifrost import llm
from bifrost.errors import AIProviderError, NotAvailableError, ValidationError
from bifrost.llm import ChatMessage, ChatModel, ChatRequest, ResponseSchema
from bifrost.types import AIResponse, AIStreamChunk

_ROLES = ("system", "user", "assistant")


def _model(operation: str) -> ChatModel:
    model = llm.model_override.get()
    if model is None:
        raise NotAvailableError(
            f"InMemoryPlatform has no language model for {operation!r}: run the workflow inside "
            "`with override_model(TestModel(...))` (bifrost.testing), or pass "
            f"InMemoryPlatform(handlers={{{operation!r}: function}})"
        )
    return model


def _request(
    operation: str,
    messages: Sequence[Mapping[str, Any]],
    system: str | None,
    knowledge: Sequence[str] | None,
    model: str | None,
    max_tokens: int | None,
    temperature: float | None,
    timeout: float | None,
) -> ChatRequest:
    if knowledge:
        raise NotAvailableError(
            f"InMemoryPlatform cannot answer {operation!r} with knowledge=: the host builds that prompt from its "
            f"knowledge search; pass InMemoryPlatform(handlers={{{operation!r}: function}}) to answer it"
        )
    return ChatRequest(
        messages=[_message(index, message) for index, message in enumerate(messages)],
        model=model or "",
        system=system,
        max_tokens=max_tokens,
        temperature=temperature,
        timeout=timeout,
    )


def _message(index: int, message: Mapping[str, Any]) -> ChatMessage:
    role, content = message.get("role"), message.get("content")
    if role not in _ROLES:
        raise ValidationError(f"messages[{index}]['role'] must be one of {', '.join(_ROLES)}, not {role!r}.")
    if isinstance(content, list):  # OpenAI-style content parts: only text is supported
        if not all(isinstance(part, Mapping) and part.get("type") == "text" for part in content):
            raise ValidationError(f"messages[{index}]['content'] may only hold text parts ({{'type': 'text', ...}}).")
        content = "".join(str(part.get("text", "")) for part in content)
    if not isinstance(content, str):
        raise ValidationError(f"messages[{index}]['content'] must be text, not {type(content).__name__}.")
    return ChatMessage(cast(llm.Role, role), content)


class AIView:
    async def complete(
        self,
        *,
        messages: list[dict[str, Any]],
        system: str | None,
        response_schema: dict[str, Any] | None,
        knowledge: list[str] | None,
        model: str | None,
        max_tokens: int | None,
        temperature: float | None,
        timeout: float | None,
        repair: dict[str, str] | None = None,
    ) -> AIResponse:
        chat_model = _model("ai.complete")
        request = _request("ai.complete", messages, system, knowledge, model, max_tokens, temperature, timeout)
        if response_schema is not None:
            turns = list(request.messages)
            if repair is not None:  # the invalid reply and its problems, sent back as the host does
                turns.append(ChatMessage("assistant", repair["reply"]))
                turns.append(
                    ChatMessage(
                        "user",
                        "Your reply did not match the required JSON schema:\n"
                        f"{repair['problems']}\n"
                        "Reply again with only the corrected JSON value.",
                    )
                )
            schema = ResponseSchema(str(response_schema["name"]), dict(response_schema["schema"]))
            request = replace(request, messages=turns, response_schema=schema)
        result = await chat_model.complete(request)
        return AIResponse(
            content=result.text,
            input_tokens=result.input_tokens,
            output_tokens=result.output_tokens,
            model=result.model or request.model,
        )

    async def stream(
        self,
        *,
        messages: list[dict[str, Any]],
        system: str | None,
        knowledge: list[str] | None,
        model: str | None,
        max_tokens: int | None,
        temperature: float | None,
        timeout: float | None,
    ) -> AsyncIterator[AIStreamChunk]:
        chat_model = _model("ai.stream")
        request = _request("ai.stream", messages, system, knowledge, model, max_tokens, temperature, timeout)
        async for event in chat_model.stream(request):
            if event.result is None:
                if event.delta:
                    yield AIStreamChunk(content=event.delta)
                continue
            yield AIStreamChunk(
                done=True,
                input_tokens=event.result.input_tokens,
                output_tokens=event.result.output_tokens,
                model=event.result.model or request.model,
            )
            return
        raise AIProviderError("The model's stream ended without its final result.")
