"""`bifrost.ai` for one caller: `ai.complete` and `ai.stream` over any ChatModel."""

from __future__ import annotations

import builtins
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

from bifrost import llm
from bifrost.errors import ConfigurationError, NotAvailableError
from bifrost.llm import AIProviderError, ChatMessage, ChatModel, ChatRequest, ChatResult, ResponseSchema
from bifrost.types import AIResponse, AIStreamChunk
from bifrost_mcp.ai.clients import ProviderClients
from bifrost_mcp.ai.knowledge import KnowledgeSearch, with_knowledge
from bifrost_mcp.ai.messages import last_user_text, to_chat_messages
from bifrost_mcp.ai.models import NO_PROVIDER, ModelResolver, ResolvedModel, Settings
from bifrost_mcp.ai.sampling import PROVIDER as SAMPLING
from bifrost_mcp.ai.sampling import SamplingChatModel
from bifrost_mcp.peer import ClientPeer

logger = logging.getLogger(__name__)

# (input_tokens, output_tokens, "provider:model") of every model call, for the execution record
RecordUsage = Callable[[int, int, str], None]
DEFAULT_KNOWLEDGE_LIMIT = 5


class AIView:
    """Built per run with the caller's settings.

    `settings(key)` reads the caller's organization config, then GLOBAL. `knowledge_search` serves
    `knowledge=[...]` (None: knowledge unavailable). A model set with `bifrost.testing.override_model`, else
    `model_override`, answers every call instead of a provider. With no provider configured for the caller, the
    run's calling client (`peer`) answers with its own model when it offers sampling.
    """

    def __init__(
        self,
        settings: Settings,
        clients: ProviderClients,
        *,
        knowledge_search: KnowledgeSearch | None = None,
        record_usage: RecordUsage | None = None,
        model_override: ChatModel | None = None,
        max_retries: int | None = None,
        knowledge_limit: int = DEFAULT_KNOWLEDGE_LIMIT,
        peer: ClientPeer | None = None,
        redact: Callable[[Any], Any] = lambda value: value,
    ) -> None:
        self._peer = peer
        self._redact = redact
        self._resolver = ModelResolver(settings, clients, max_retries=max_retries)
        self._knowledge_search = knowledge_search
        self._record_usage = record_usage
        self._model_override = model_override
        self._knowledge_limit = knowledge_limit

    async def _resolve(self, model: str | None) -> ResolvedModel:
        """The ChatModel that answers `model` for this caller."""
        override = llm.model_override.get() or self._model_override
        if override is not None:
            return ResolvedModel("override", model or "", override)
        try:
            return await self._resolver.resolve(model)
        except ConfigurationError as exc:
            if str(exc) != NO_PROVIDER or self._peer is None or self._peer.cannot_sample() is not None:
                raise
            return ResolvedModel(SAMPLING, model or "", SamplingChatModel(self._peer, self._redact))

    async def complete(
        self,
        *,
        messages: builtins.list[dict[str, Any]],
        system: str | None,
        response_schema: dict[str, Any] | None,
        knowledge: builtins.list[str] | None,
        model: str | None,
        max_tokens: int | None,
        temperature: float | None,
        timeout: float | None,
        repair: dict[str, str] | None = None,
    ) -> AIResponse:
        """One completion; with `response_schema`, the reply is JSON text the SDK validates.

        With `repair` ({"reply", "problems"}) the same request goes again, followed by the invalid reply and a
        turn sending its problems back.
        """
        resolved = await self._resolve(model)
        request = await self._request(resolved, messages, system, knowledge, max_tokens, temperature, timeout)
        if response_schema is not None:
            schema = ResponseSchema(str(response_schema["name"]), dict(response_schema["schema"]))
            turns = [*request.messages, *_repair_turns(repair)] if repair is not None else request.messages
            request = replace(request, response_schema=schema, messages=turns)
        result = await self._complete(resolved, request)
        return AIResponse(
            content=result.text,
            input_tokens=result.input_tokens,
            output_tokens=result.output_tokens,
            model=result.model or resolved.name,
        )

    async def stream(
        self,
        *,
        messages: builtins.list[dict[str, Any]],
        system: str | None,
        knowledge: builtins.list[str] | None,
        model: str | None,
        max_tokens: int | None,
        temperature: float | None,
        timeout: float | None,
    ) -> AsyncIterator[AIStreamChunk]:
        resolved = await self._resolve(model)
        request = await self._request(resolved, messages, system, knowledge, max_tokens, temperature, timeout)
        async for event in resolved.chat_model.stream(request):
            if event.result is None:
                if event.delta:
                    yield AIStreamChunk(content=event.delta)
                continue
            self._record(resolved, event.result)
            yield AIStreamChunk(
                done=True,
                input_tokens=event.result.input_tokens,
                output_tokens=event.result.output_tokens,
                model=event.result.model or resolved.name,
            )
            return
        raise AIProviderError(f"The stream of model '{resolved.id}' ended without its final result: try again.")

    async def _request(
        self,
        resolved: ResolvedModel,
        messages: builtins.list[dict[str, Any]],
        system: str | None,
        knowledge: builtins.list[str] | None,
        max_tokens: int | None,
        temperature: float | None,
        timeout: float | None,
    ) -> ChatRequest:
        chat_messages = to_chat_messages(messages)
        if knowledge:
            namespaces = list(knowledge)
            passages = None
            if self._knowledge_search is not None:
                passages = await self._knowledge_search(
                    last_user_text(chat_messages), namespaces, self._knowledge_limit
                )
            if passages is None:
                raise NotAvailableError(
                    "knowledge=[...] needs the knowledge capability, which this bifrost-mcp host does not provide: "
                    "enable knowledge in the server settings, or call ai.complete without knowledge=."
                )
            system = with_knowledge(system, passages)
        return ChatRequest(
            messages=chat_messages,
            model=resolved.name,
            system=system,
            max_tokens=max_tokens,
            temperature=temperature,
            timeout=timeout,
        )

    async def _complete(self, resolved: ResolvedModel, request: ChatRequest) -> ChatResult:
        result = await resolved.chat_model.complete(request)
        self._record(resolved, result)
        return result

    def _record(self, resolved: ResolvedModel, result: ChatResult) -> None:
        model = f"{resolved.provider}:{result.model or resolved.name}"
        logger.debug("ai call %s: %d input, %d output tokens", model, result.input_tokens, result.output_tokens)
        if self._record_usage is not None:
            self._record_usage(result.input_tokens, result.output_tokens, model)


def _repair_turns(repair: dict[str, str]) -> list[ChatMessage]:
    """The invalid reply and a user turn sending its validation problems back."""
    return [
        ChatMessage("assistant", repair["reply"]),
        ChatMessage(
            "user",
            "Your reply did not match the required JSON schema:\n"
            f"{repair['problems']}\n"
            "Reply again with only the corrected JSON value.",
        ),
    ]
