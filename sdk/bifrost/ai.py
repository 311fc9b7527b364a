"""LLM completions and streaming, with structured output (`response_format=`) and RAG (`knowledge=`).

    response = await ai.complete("Summarize this ticket: ...")
    analysis = await ai.complete("Analyze: Great!", response_format=Analysis)
    async for chunk in ai.stream("Write a story"):
        ...

`model` is "provider:model" ("anthropic:claude-sonnet-5-5", "openai:gpt-5.4-mini", "ollama:llama3.1"), a bare
name for the default provider, or None for the organization's default model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, TypeVar, overload

import pydantic
from pydantic import BaseModel

from bifrost import _structured
from bifrost.errors import ValidationError
from bifrost.platform import call, returned
from bifrost.platform import stream as stream_operation
from bifrost.types import AIResponse, AIStreamChunk

T = TypeVar("T", bound=BaseModel)


@overload
async def complete(
    prompt: str | None = None,
    *,
    messages: Sequence[dict[str, Any]] | None = None,
    system: str | None = None,
    response_format: None = None,
    knowledge: Sequence[str] | str | None = None,
    model: str | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    timeout: float | None = None,
) -> AIResponse: ...
@overload
async def complete(
    prompt: str | None = None,
    *,
    messages: Sequence[dict[str, Any]] | None = None,
    system: str | None = None,
    response_format: type[T],
    knowledge: Sequence[str] | str | None = None,
    model: str | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    timeout: float | None = None,
) -> T: ...
async def complete(
    prompt: str | None = None,
    *,
    messages: Sequence[dict[str, Any]] | None = None,
    system: str | None = None,
    response_format: type[T] | None = None,
    knowledge: Sequence[str] | str | None = None,
    model: str | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    timeout: float | None = None,
) -> AIResponse | T:
    """Complete `prompt` (or the conversation `messages`, with `prompt` appended as the last user turn).

    Returns an AIResponse, or an instance of `response_format` (a pydantic model class) validated from the reply.
    """
    if response_format is not None and not (
        isinstance(response_format, type) and issubclass(response_format, BaseModel)
    ):
        raise ValidationError(f"response_format must be a pydantic model class, not {response_format!r}.")
    arguments: dict[str, Any] = {
        "messages": _messages("ai.complete", prompt, messages),
        "system": system,
        "response_schema": None if response_format is None else _structured.response_schema(response_format),
        "knowledge": _namespaces(knowledge),
        "model": model,
        "max_tokens": max_tokens,
        "temperature": temperature,
        "timeout": timeout,
    }
    reply = returned(AIResponse, await call("ai.complete", **arguments))
    if response_format is None:
        return reply
    try:
        return _structured.parse(response_format, reply.content)
    except pydantic.ValidationError as first:
        # One repair round trip: the host sends the same request again with the invalid reply and its problems.
        repair = {"reply": reply.content, "problems": _structured.describe(first)}
        reply = returned(AIResponse, await call("ai.complete", **arguments, repair=repair))
    try:
        return _structured.parse(response_format, reply.content)
    except pydantic.ValidationError as second:
        raise _structured.failure(response_format, reply.content, second) from None


def stream(
    prompt: str | None = None,
    *,
    messages: Sequence[dict[str, Any]] | None = None,
    system: str | None = None,
    knowledge: Sequence[str] | str | None = None,
    model: str | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    timeout: float | None = None,
) -> AsyncIterator[AIStreamChunk]:
    """Stream the completion: text chunks, then a final chunk with done=True and the token counts."""
    return _chunks(
        stream_operation(
            "ai.stream",
            messages=_messages("ai.stream", prompt, messages),
            system=system,
            knowledge=_namespaces(knowledge),
            model=model,
            max_tokens=max_tokens,
            temperature=temperature,
            timeout=timeout,
        )
    )


async def _chunks(items: AsyncIterator[Any]) -> AsyncIterator[AIStreamChunk]:
    try:
        async for item in items:
            yield returned(AIStreamChunk, item)
    finally:  # a consumer that stops early must still end the host's stream (and its HTTP response)
        close = getattr(items, "aclose", None)
        if close is not None:
            await close()


def _messages(caller: str, prompt: str | None, messages: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    if prompt is None and not messages:
        raise ValidationError(f"{caller} needs a prompt or messages=[{{'role': 'user', 'content': '...'}}].")
    turns = [dict(message) for message in messages or ()]
    if prompt is not None:
        turns.append({"role": "user", "content": prompt})
    return turns


def _namespaces(knowledge: Sequence[str] | str | None) -> list[str] | None:
    if knowledge is None:
        return None
    return [knowledge] if isinstance(knowledge, str) else list(knowledge)


__all__ = ["complete", "stream"]
