"""A conversation and its messages as values: what the store keeps, the CLI prints and the agent loop appends.

Messages are a union tagged by `kind`; each is stored as its JSON, so a kind gains fields without a migration.
`seq` and `created_at` are given by the store when a message is appended; the values passed in are ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bifrost.platform import GLOBAL_SCOPE


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seq: int = 0  # the position in the conversation, from 1
    created_at: datetime | None = None


class UserMessage(_Message):
    kind: Literal["user"] = "user"
    text: str


class AssistantMessage(_Message):
    kind: Literal["assistant"] = "assistant"
    text: str


class ToolCall(_Message):
    """The model asked for a tool; `execution_id` is the run that answered it, once there is one."""

    kind: Literal["tool_call"] = "tool_call"
    tool_call_id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    execution_id: str | None = None
    status: str = "pending"  # free text from the loop: pending, running, Completed, Failed, denied, ...


class ToolResult(_Message):
    kind: Literal["tool_result"] = "tool_result"
    tool_call_id: str
    text: str
    is_error: bool = False


class Approval(_Message):
    """A person's decision on one tool call, with the exact arguments they were shown."""

    kind: Literal["approval"] = "approval"
    tool_call_id: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    decision: Literal["approved", "denied", "pending"] = "pending"
    decided_by: str | None = None  # a user id
    decided_at: datetime | None = None


Message = Annotated[UserMessage | AssistantMessage | ToolCall | ToolResult | Approval, Field(discriminator="kind")]
MESSAGE = TypeAdapter(Message)


def message_from_json(body: str, seq: int, created_at: str) -> Message:
    """A stored message: its JSON body, with the position and time kept in their own columns."""
    message = MESSAGE.validate_json(body)
    message.seq = seq
    message.created_at = datetime.fromisoformat(created_at)
    return message


def message_body(message: Message) -> str:
    """The JSON a message is stored as; position and time live in their own columns."""
    return message.model_dump_json(exclude={"seq", "created_at"})


class Conversation(BaseModel):
    """One user's chat with one agent, in one organization's scope (GLOBAL when there is none)."""

    id: str
    title: str
    agent: str
    user_id: str
    scope: str
    created_at: datetime
    updated_at: datetime
    input_tokens: int = 0
    output_tokens: int = 0
    message_count: int = 0
    messages: list[Message] = Field(default_factory=list)  # empty in listings: `get` fills it

    @property
    def org_id(self) -> str | None:
        return None if self.scope == GLOBAL_SCOPE else self.scope
