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
    # "approve"/"deny" typed while calls waited: kept for the record, while the decision itself lives in the
    # Approval records and the model reads the calls' results instead
    approval_reply: bool = False


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
    # completed or failed once run; awaiting_approval while held, then approved, denied or unanswered
    status: str = "pending"


class ToolResult(_Message):
    kind: Literal["tool_result"] = "tool_result"
    tool_call_id: str
    text: str
    is_error: bool = False


Decision = Literal["approved", "denied", "unanswered"]


class Approval(_Message):
    """A person's decision on one tool call, with the exact arguments they were shown.

    `unanswered`: the person wrote something else (or the client could not ask) while the call waited, so it
    never ran; `decided_by` is then the user whose next message closed it.
    """

    kind: Literal["approval"] = "approval"
    tool_call_id: str
    name: str = ""  # the tool, so a list of approvals reads without its call
    arguments: dict[str, Any] = Field(default_factory=dict)
    decision: Literal["approved", "denied", "unanswered", "pending"] = "pending"
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
