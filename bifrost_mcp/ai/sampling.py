"""The calling MCP client's own model as a ChatModel: `ai.complete` when no provider is configured (sampling).

The client chooses the model (ours is only a hint) and reports no usage, so a sampled answer counts 0 tokens.
Only text turns can be sampled: a tool call or tool result in the request is refused with what to do instead.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from bifrost.errors import NotAvailableError
from bifrost.llm import ChatRequest, ChatResult, StreamEvent
from bifrost_mcp.peer import ClientPeer

PROVIDER = "client"  # how the execution record's usage names a sampled model ("client:<model>")


class SamplingChatModel:
    """Implements `bifrost.llm.ChatModel` with sampling/createMessage to the run's calling client."""

    def __init__(self, peer: ClientPeer, redact: Callable[[Any], Any]) -> None:
        self._peer = peer
        self._redact = redact  # the run's secrets never reach the client

    async def complete(self, request: ChatRequest) -> ChatResult:
        messages = []
        for message in request.messages:
            if message.role not in ("user", "assistant") or message.tool_calls:
                raise NotAvailableError(
                    "The client's model (sampling) answers text conversations only: configure an AI provider "
                    "for tool calls (config 'anthropic_api_key' or 'openai_api_key')."
                )
            messages.append({"role": message.role, "content": message.content})
        system = request.system
        if request.response_schema is not None:  # the SDK validates (and repairs) the reply as for any model
            schema = json.dumps(request.response_schema.schema, ensure_ascii=False)
            system = f"{system or ''}\n\nReply with only a JSON value matching this JSON schema:\n{schema}".strip()
        answer = await self._peer.sample(
            self._redact(
                {
                    "messages": messages,
                    "system": system,
                    "max_tokens": request.max_tokens,
                    "temperature": request.temperature,
                    "model": request.model or None,
                }
            )
        )
        return ChatResult(text=answer["text"], model=answer.get("model") or "", stop_reason=answer.get("stop_reason"))

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        # sampling answers whole: one delta, then the result
        result = await self.complete(request)
        yield StreamEvent(result.text)
        yield StreamEvent(result=result)
