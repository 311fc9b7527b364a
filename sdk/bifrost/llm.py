"""The provider interface behind `ai`: one small seam between the SDK and every language model.

The host adapts the vendor SDKs (Anthropic, OpenAI, OpenAI-compatible servers) to `ChatModel`;
`bifrost.testing` implements it offline. Token counts are 0 when a provider did not report them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from bifrost.errors import (
    AIAuthenticationError,
    AIContextLengthError,
    AIError,
    AIProviderError,
    AIRateLimitError,
    AITimeoutError,
    StructuredOutputError,
    ValidationError,
)

Role = Literal["system", "user", "assistant", "tool"]
TOOL_CHOICE_KEYWORDS = ("auto", "required", "none")


@dataclass(frozen=True, slots=True)
class ToolCall:
    """The model asks to run tool `name` with `arguments`; answer with a `tool` message carrying `id`."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolDefinition:
    """A tool the model may call: its name, what it does, and the JSON schema of its arguments."""

    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One turn. `assistant` turns may carry tool calls; a `tool` turn is the result of the call `tool_call_id`."""

    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    is_error: bool = False

    def __post_init__(self) -> None:
        if (self.role == "tool") != (self.tool_call_id is not None):
            raise ValidationError("a tool result needs role='tool' and the tool_call_id of the call it answers")
        if self.tool_calls and self.role != "assistant":
            raise ValidationError("only assistant messages carry tool_calls")


@dataclass(frozen=True, slots=True)
class ResponseSchema:
    """Structured output: the reply must be JSON matching `schema` (named `name` for providers that want one)."""

    name: str
    schema: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatRequest:
    """What to send. `model` is the provider's own model name; None options use the provider's default.

    `tool_choice` is "auto", "required", "none", or the name of one tool the model must call.
    """

    messages: Sequence[ChatMessage]
    model: str
    system: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    timeout: float | None = None
    tools: Sequence[ToolDefinition] = ()
    tool_choice: str | None = None
    response_schema: ResponseSchema | None = None

    def __post_init__(self) -> None:
        choice = self.tool_choice
        if choice is not None and choice not in TOOL_CHOICE_KEYWORDS and choice not in {t.name for t in self.tools}:
            raise ValidationError(f"tool_choice {self.tool_choice!r} names no tool of this request")


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatResult:
    """The model's answer. stop_reason: "end_turn", "max_tokens", "tool_use", "stop_sequence", or the vendor's."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    input_tokens: int = 0
    output_tokens: int = 0
    model: str = ""
    stop_reason: str | None = None


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """A text delta while streaming; the last event carries the whole `result` (text, tool calls, usage)."""

    delta: str = ""
    result: ChatResult | None = field(default=None, kw_only=True)

    @property
    def done(self) -> bool:
        return self.result is not None


@runtime_checkable
class ChatModel(Protocol):
    """A language model: answer a request whole, or as a stream of text deltas ending with the result."""

    async def complete(self, request: ChatRequest) -> ChatResult: ...

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]: ...


# Set by `bifrost.testing.override_model`; the ai service uses this model for every call when it is set.
model_override: ContextVar[ChatModel | None] = ContextVar("bifrost_ai_model_override", default=None)

__all__ = [
    "AIAuthenticationError",
    "AIContextLengthError",
    "AIError",
    "AIProviderError",
    "AIRateLimitError",
    "AITimeoutError",
    "ChatMessage",
    "ChatModel",
    "ChatRequest",
    "ChatResult",
    "ResponseSchema",
    "Role",
    "StreamEvent",
    "StructuredOutputError",
    "ToolCall",
    "ToolDefinition",
    "model_override",
]
