"""Conversations in SQLite, for every caller: who may reach which is `ConversationsView`'s business.

Appending messages, their usage and the conversation's `updated_at` is one transaction, so a reader never sees
messages without their totals. Deleting is hard: the conversation and its messages are gone (a user's "delete
my chat" must not leave the text behind). Message contents are never logged: they may hold what a user typed.
"""

from __future__ import annotations

import builtins
import sqlite3
import uuid
from collections.abc import Sequence
from functools import partial
from typing import Any

from bifrost.errors import NotFoundError, ValidationError
from bifrost_mcp.clock import SYSTEM_CLOCK, Clock
from bifrost_mcp.conversations.records import Conversation, Message, message_body, message_from_json
from bifrost_mcp.errors import ConflictError
from bifrost_mcp.storage import Database

COLUMNS = (
    "id", "title", "agent", "user_id", "scope", "created_at", "updated_at", "input_tokens", "output_tokens",
    "message_count",
)  # fmt: skip
_COLUMNS = ", ".join(COLUMNS)
_INSERT_MESSAGE = (
    "INSERT INTO conversation_messages (conversation_id, seq, kind, body_json, created_at) VALUES (?, ?, ?, ?, ?)"
)


def not_found(conversation_id: str) -> NotFoundError:
    """The one answer for an id nobody may reach: unknown and someone else's read the same."""
    return NotFoundError(f"conversation {conversation_id!r} not found")


def conversation_from(row: sqlite3.Row, messages: list[Message] | None = None) -> Conversation:
    """A conversation of a row with COLUMNS (others ignored) and its `messages` (as `message_from_json` reads them)."""
    return Conversation.model_validate({**{column: row[column] for column in COLUMNS}, "messages": messages or []})


def _append(
    conversation_id: str, rows: Sequence[tuple[str, str]], now: str, usage: tuple[int, int], conn: sqlite3.Connection
) -> int | None:
    """Insert `rows` (kind, body) after the last message; the first seq used, or None for an unknown id."""
    found = conn.execute("SELECT message_count FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    if found is None:
        return None
    first = int(found[0]) + 1
    conn.executemany(
        _INSERT_MESSAGE, [(conversation_id, first + i, kind, body, now) for i, (kind, body) in enumerate(rows)]
    )
    conn.execute(
        "UPDATE conversations SET message_count = message_count + ?, input_tokens = input_tokens + ?, "
        "output_tokens = output_tokens + ?, updated_at = ? WHERE id = ?",
        (len(rows), *usage, now, conversation_id),
    )
    return first


def _create(
    values: tuple[str, ...], rows: Sequence[tuple[str, str]], now: str, conn: sqlite3.Connection
) -> sqlite3.Row:
    """Insert a conversation (`values`: id, title, agent, user_id, scope, created_at, updated_at) and its `rows`."""
    created: sqlite3.Row = conn.execute(
        f"INSERT INTO conversations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?) RETURNING {_COLUMNS}",
        (*values, len(rows)),
    ).fetchall()[0]
    conn.executemany(_INSERT_MESSAGE, [(values[0], i + 1, kind, body, now) for i, (kind, body) in enumerate(rows)])
    return created


def _replace(
    conversation_id: str, seq: int, kind: str, body: str, expected: str | None, now: str, conn: sqlite3.Connection
) -> str | None:
    """Overwrite one message of the same kind (when `expected` is given: only if it still reads so).

    Returns the kind stored at `seq`, "changed" when it no longer reads as `expected`, or None for no message.
    """
    found = conn.execute(
        "SELECT kind, body_json FROM conversation_messages WHERE conversation_id = ? AND seq = ?",
        (conversation_id, seq),
    ).fetchone()
    if found is None or found[0] != kind:
        return None if found is None else str(found[0])
    if expected is not None and found[1] != expected:
        return "changed"
    conn.execute(
        "UPDATE conversation_messages SET body_json = ? WHERE conversation_id = ? AND seq = ?",
        (body, conversation_id, seq),
    )
    conn.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
    return kind


class ConversationsStore:
    def __init__(self, db: Database, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.db = db
        self.clock = clock

    def _now(self) -> str:
        return self.clock.now().isoformat(timespec="microseconds")

    async def create(
        self, *, user_id: str, scope: str, agent: str, title: str = "", messages: Sequence[Message] = ()
    ) -> Conversation:
        """A new conversation, with its first `messages` in the same transaction (a chat's question: kept or not)."""
        moment = self.clock.now()
        now = moment.isoformat(timespec="microseconds")
        values = (str(uuid.uuid4()), title, agent, user_id, scope, now, now)
        rows = [(m.kind, message_body(m)) for m in messages]
        row = await self.db.run_small_transaction(partial(_create, values, rows, now))
        stored = [m.model_copy(update={"seq": i + 1, "created_at": moment}) for i, m in enumerate(messages)]
        return conversation_from(row, stored)

    async def get(self, conversation_id: str, *, with_messages: bool = True) -> Conversation | None:
        # a point read by primary key on every append: inline, not a round trip to the database thread
        rows = await self.db.lookup(f"SELECT {_COLUMNS} FROM conversations WHERE id = ?", (conversation_id,))
        if not rows:
            return None
        row = rows[0]
        if not with_messages or row["message_count"] == 0:  # a new conversation: no round trip for no messages
            return conversation_from(row)
        stored = await self.db.fetchall(
            "SELECT seq, body_json, created_at FROM conversation_messages WHERE conversation_id = ? ORDER BY seq",
            (conversation_id,),
        )
        return conversation_from(row, [message_from_json(m["body_json"], m["seq"], m["created_at"]) for m in stored])

    async def list(
        self, *, scope: str | None = None, user_id: str | None = None, limit: int = 50, offset: int = 0
    ) -> builtins.list[Conversation]:
        """Most recently active first, without messages; `scope`/`user_id` come from conversation_visibility."""
        clauses: builtins.list[str] = []
        params: builtins.list[Any] = []
        for column, value in (("scope", scope), ("user_id", user_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM conversations {where} ORDER BY updated_at DESC, rowid DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [conversation_from(r) for r in rows]

    async def append(
        self, conversation_id: str, messages: Sequence[Message], *, input_tokens: int = 0, output_tokens: int = 0
    ) -> builtins.list[Message]:
        """Add `messages` at the end, and the tokens spent producing them; returns them with seq and time."""
        if input_tokens < 0 or output_tokens < 0:
            raise ValidationError("token counts must not be negative")
        moment = self.clock.now()
        now = moment.isoformat(timespec="microseconds")
        rows = [(m.kind, message_body(m)) for m in messages]
        first = await self.db.run_small_transaction(
            partial(_append, conversation_id, rows, now, (input_tokens, output_tokens))
        )
        if first is None:
            raise not_found(conversation_id)
        return [m.model_copy(update={"seq": first + i, "created_at": moment}) for i, m in enumerate(messages)]

    async def replace(self, conversation_id: str, message: Message, *, expected: Message | None = None) -> Message:
        """Overwrite the message at `message.seq` with one of the same kind: a tool call's outcome, a decision.

        With `expected`, only while the stored message still equals it (else ConflictError): two people
        deciding one approval at once must not both run the call.
        """
        now = self._now()
        was = None if expected is None else message_body(expected)
        kind = await self.db.run_in_transaction(
            partial(_replace, conversation_id, message.seq, message.kind, message_body(message), was, now)
        )
        if kind is None:
            raise NotFoundError(f"conversation {conversation_id!r} has no message {message.seq}")
        if kind == "changed":
            raise ConflictError(f"message {message.seq} of conversation {conversation_id!r} changed meanwhile")
        if kind != message.kind:
            raise ValidationError(f"message {message.seq} is a {kind}, not a {message.kind}: only its kind replaces it")
        row = await self.db.fetchone(
            "SELECT created_at FROM conversation_messages WHERE conversation_id = ? AND seq = ?",
            (conversation_id, message.seq),
        )
        assert row is not None  # the transaction above found it, and messages are never removed alone
        return message_from_json(message_body(message), message.seq, row["created_at"])

    async def set_title(self, conversation_id: str, title: str) -> bool:
        """Rename; the conversation's activity time stays, so a rename does not reorder the list."""
        return bool(
            await self.db.write(
                "UPDATE conversations SET title = ? WHERE id = ? RETURNING id", (title, conversation_id)
            )
        )

    async def delete(self, conversation_id: str) -> bool:
        """Remove the conversation and (by cascade) its messages; False when there was none."""
        return bool(await self.db.write("DELETE FROM conversations WHERE id = ? RETURNING id", (conversation_id,)))
