"""`ai.complete(messages=[{"role": ..., "content": ...}])` dictionaries as provider-interface messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from bifrost.errors import ValidationError
from bifrost.llm import ChatMessage, Role

_ROLES = ("system", "user", "assistant")


def to_chat_messages(messages: Sequence[Mapping[str, Any]]) -> list[ChatMessage]:
    if not messages:
        raise ValidationError("messages is empty: pass at least one {'role': 'user', 'content': '...'}.")
    return [_message(index, message) for index, message in enumerate(messages)]


def last_user_text(messages: Sequence[ChatMessage]) -> str:
    """The latest user turn: what a knowledge search looks for."""
    return next((m.content for m in reversed(messages) if m.role == "user"), "")


def _message(index: int, message: Mapping[str, Any]) -> ChatMessage:
    if not isinstance(message, Mapping):
        raise ValidationError(f"messages[{index}] must be a dict like {{'role': 'user', 'content': '...'}}.")
    role, content = message.get("role"), message.get("content")
    if role not in _ROLES:
        raise ValidationError(f"messages[{index}]['role'] must be one of {', '.join(_ROLES)}, not {role!r}.")
    if isinstance(content, list):  # OpenAI-style content parts: only text is supported
        if not all(isinstance(part, Mapping) and part.get("type") == "text" for part in content):
            raise ValidationError(f"messages[{index}]['content'] may only hold text parts ({{'type': 'text', ...}}).")
        content = "".join(str(part.get("text", "")) for part in content)
    if not isinstance(content, str):
        raise ValidationError(f"messages[{index}]['content'] must be text, not {type(content).__name__}.")
    return ChatMessage(cast(Role, role), content)
