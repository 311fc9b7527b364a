"""A Chat Completions request as /v1 reads it: the new user message, the history the client resent, options.

Chat clients resend the whole conversation with every request. The last message must be the user's: it is
the turn to answer. The user and assistant messages before it are the client's history, which names the
conversation it continues or seeds a new one (`server.api.start_turn`). System and developer messages are
set aside: the agent's own instructions are its system prompt, and a client does not replace them (an
operator's agent behaves the same whichever chat UI calls it); what a user wants said goes in a user message.

A request the API cannot honour in full is refused (400, with the message and `param` that says what to
change) before anything is stored, rather than run with part of it dropped: a role other than system,
developer, user or assistant (tools run on the server, so a client has no tool results to send), an
assistant message carrying tool calls, a content part that is not text, an empty user message, or a last
message that is not the user's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bifrost_mcp.conversations.records import AssistantMessage, UserMessage

SET_ASIDE_ROLES = ("system", "developer")
TOOL_ROLES = ("tool", "function")

HistoryMessage = UserMessage | AssistantMessage


class InvalidRequest(Exception):
    """A request refused with 400; `param` is the field to fix, as OpenAI's errors name it."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    model: str
    text: str  # the last message, the user's
    history: tuple[HistoryMessage, ...]  # the user and assistant messages before it, in order
    stream: bool
    include_usage: bool


def parse_completion(body: Any) -> CompletionRequest:
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object: a chat completion request with 'model' and 'messages'")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequest("'model' must name an agent: GET /v1/models lists the ones you may use", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest("'messages' must be a non-empty list ending with the user's message", "messages")
    parsed = [_message(message, f"messages[{index}]") for index, message in enumerate(messages)]
    last = parsed[-1]
    if not isinstance(last, UserMessage):
        where = f"messages[{len(messages) - 1}]"
        raise InvalidRequest(f"the last message ({where}) must be the user's: it is the one the agent answers", where)
    history = tuple(message for message in parsed[:-1] if message is not None)
    options = body.get("stream_options")
    include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
    return CompletionRequest(model, last.text, history, bool(body.get("stream")), include_usage)


def _message(message: Any, where: str) -> HistoryMessage | None:
    """A user or assistant message as stored; None for a system or developer message, which is set aside."""
    if not isinstance(message, dict):
        raise InvalidRequest(f"{where} must be an object with 'role' and 'content'", where)
    role = message.get("role")
    if role in SET_ASIDE_ROLES:
        return None
    if role in TOOL_ROLES:
        raise InvalidRequest(
            f"{where} has role {role!r}: the agent runs its tools on the server, so a client sends no tool results",
            f"{where}.role",
        )
    if role not in ("user", "assistant"):
        raise InvalidRequest(
            f"{where} has role {role!r}: send system, developer, user or assistant messages", f"{where}.role"
        )
    if role == "assistant" and (message.get("tool_calls") or message.get("function_call")):
        raise InvalidRequest(
            f"{where} carries tool calls: the agent calls its tools on the server, so a client's history has none",
            f"{where}.tool_calls",
        )
    text = _text(message.get("content"), f"{where}.content")
    if role == "assistant":
        return AssistantMessage(text=text)  # an answer may be empty (a turn that failed before it said anything)
    if not text.strip():
        raise InvalidRequest(f"{where} is an empty user message: say something", f"{where}.content")
    return UserMessage(text=text)


def _text(content: Any, where: str) -> str:
    """A message's text: a string, or a list of text parts joined."""
    if content is None or isinstance(content, str):
        return content or ""
    if not isinstance(content, list):
        raise InvalidRequest(f"{where} must be a string or a list of text parts", where)
    texts: list[str] = []
    for index, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else type(part).__name__
        if kind != "text" or not isinstance(part.get("text"), str):
            raise InvalidRequest(
                f"{where}[{index}] is a {kind!r} part: the agent reads text only, send the content as text parts",
                f"{where}[{index}]",
            )
        texts.append(part["text"])
    return "".join(texts)
