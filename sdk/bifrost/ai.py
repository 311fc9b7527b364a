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

from pydantic import BaseModel

from bifrost._runtime import platform
from bifrost.errors import ValidationError
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
    result = await platform().ai.complete(
        messages=_messages("ai.complete", prompt, messages),
        system=system,
        response_format=response_format,
        knowledge=_namespaces(knowledge),
        model=model,
        max_tokens=max_tokens,
        temperature=temperature,
        timeout=timeout,
    )
    return result  # type: ignore[return-value]  # the service returns an instance of response_format


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
    return platform().ai.stream(
        messages=_messages("ai.stream", prompt, messages),
        system=system,
        knowledge=_namespaces(knowledge),
        model=model,
        max_tokens=max_tokens,
        temperature=temperature,
        timeout=timeout,
    )


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
