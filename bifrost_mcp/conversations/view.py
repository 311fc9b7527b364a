"""The conversations one caller may reach, through the gate (`access.conversation_visibility`)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from bifrost.errors import AccessDenied, ValidationError
from bifrost_mcp.access import conversation_visibility, may_continue_conversation
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.records import Conversation, Message
from bifrost_mcp.conversations.store import ConversationsStore, not_found

MAX_PAGE = 1000


class ConversationsView:
    def __init__(self, store: ConversationsStore, caller: Caller) -> None:
        self.store = store
        self.caller = caller

    async def start(self, agent: str, title: str = "", messages: Sequence[Message] = ()) -> Conversation:
        """A new conversation of the caller's, in the scope they act in, with its first `messages` (if any)."""
        if not isinstance(agent, str) or not agent.strip():
            raise ValidationError("agent must be a non-empty string")
        return await self.store.create(
            user_id=self.caller.user_id, scope=self.caller.scope, agent=agent, title=title, messages=messages
        )

    async def list(self, *, limit: int = 50, offset: int = 0) -> builtins.list[Conversation]:
        """The conversations the caller may read, most recently active first, without their messages."""
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise ValidationError(f"limit must be 1 to {MAX_PAGE} and offset 0 or more, got {limit} and {offset}")
        scope, user_id = conversation_visibility(self.caller)
        return await self.store.list(scope=scope, user_id=user_id, limit=limit, offset=offset)

    async def _visible(self, conversation_id: str, *, with_messages: bool = False) -> Conversation:
        if not isinstance(conversation_id, str) or not conversation_id:
            raise ValidationError("conversation_id must be a non-empty string")
        found = await self.store.get(conversation_id, with_messages=with_messages)
        if found is None or not self._reaches(found):
            raise not_found(conversation_id)  # someone else's reads exactly like an unknown id
        return found

    def _reaches(self, conversation: Conversation) -> bool:
        scope, user_id = conversation_visibility(self.caller)
        return (scope is None or conversation.scope == scope) and user_id in (None, conversation.user_id)

    async def _continued(self, conversation_id: str) -> Conversation:
        return self.continuing(await self._visible(conversation_id))

    def continuing(self, conversation: Conversation) -> Conversation:
        """`conversation`, read through this view (or `conversations.matching`), if the caller may continue it."""
        if not self._reaches(conversation):
            raise not_found(conversation.id)
        if not may_continue_conversation(self.caller, conversation.user_id):
            raise AccessDenied(f"conversation {conversation.id!r} is another user's: only its owner may continue it")
        return conversation

    async def get(self, conversation_id: str) -> Conversation:
        """One conversation with its messages in order."""
        return await self._visible(conversation_id, with_messages=True)

    async def append(
        self, conversation_id: str, messages: Sequence[Message], *, input_tokens: int = 0, output_tokens: int = 0
    ) -> builtins.list[Message]:
        """Continue the caller's own conversation; returns the messages as stored (seq and time set)."""
        await self._continued(conversation_id)
        return await self.store.append(
            conversation_id, messages, input_tokens=input_tokens, output_tokens=output_tokens
        )

    async def replace(self, conversation_id: str, message: Message, *, expected: Message | None = None) -> Message:
        """Update a message of the caller's own conversation in place (the one at `message.seq`).

        With `expected`, only if it still reads so (ConflictError otherwise).
        """
        await self._continued(conversation_id)
        return await self.store.replace(conversation_id, message, expected=expected)

    async def set_title(self, conversation_id: str, title: str) -> Conversation:
        await self._continued(conversation_id)
        if not await self.store.set_title(conversation_id, title):
            raise not_found(conversation_id)
        return await self._visible(conversation_id)

    async def delete(self, conversation_id: str) -> None:
        """Delete for good (messages too): the owner, or a platform admin of the conversation's scope."""
        await self._visible(conversation_id)
        if not await self.store.delete(conversation_id):
            raise not_found(conversation_id)
