"""Which of the caller's conversations a client's resent history continues.

Chat clients of the OpenAI-compatible API (Open WebUI, LibreChat, the SDKs) keep no conversation id: every
request carries the whole history. It continues the caller's own conversation with that agent, in the scope
they act in, whose user messages in order equal the client's earlier ones; the most recently active one when
several do. Only user messages are compared: they are what the person typed, while the assistant's side as a
client shows it (tool steps as text lines) is not what the conversation stores.
"""

from __future__ import annotations

from collections.abc import Sequence

from bifrost_mcp.conversations.records import Conversation, UserMessage, message_from_json
from bifrost_mcp.conversations.store import COLUMNS, conversation_from
from bifrost_mcp.conversations.view import ConversationsView

CANDIDATES = 20

# The caller's conversations with the agent, most recently active first (the index on scope, user_id,
# updated_at), whose last user message is the client's and whose user messages are as many: the scan stops
# at the first, which is the conversation a chat client continues in the usual case. It comes back whole, a
# row per message in order, for its user messages to be compared and for the turn to read it: one read.
_CANDIDATE = f"""
WITH candidate AS (
    SELECT c.id FROM conversations AS c
    WHERE c.scope = ? AND c.user_id = ? AND c.agent = ?
      AND (SELECT json_extract(last.body_json, '$.text') FROM conversation_messages AS last
           WHERE last.conversation_id = c.id AND last.kind = 'user' ORDER BY last.seq DESC LIMIT 1) = ?
      AND (SELECT count(*) FROM conversation_messages AS m
           WHERE m.conversation_id = c.id AND m.kind = 'user') = ?
    ORDER BY c.updated_at DESC, c.rowid DESC
    LIMIT 1 OFFSET ?
)
SELECT {", ".join(f"c.{column}" for column in COLUMNS)},
       m.seq AS m_seq, m.kind AS m_kind, m.body_json AS m_body, m.created_at AS m_created_at
FROM candidate JOIN conversations AS c ON c.id = candidate.id
JOIN conversation_messages AS m ON m.conversation_id = candidate.id
ORDER BY m.seq
"""


async def conversation_continued(view: ConversationsView, agent: str, user_texts: Sequence[str]) -> Conversation | None:
    """The caller's conversation with `agent` whose user messages are `user_texts`, messages included, or None.

    Only conversations the caller may continue are searched: their own (never another user's, even for a
    platform admin who may read it), in the scope they act in now, so the tools of the next turn run where
    the conversation's earlier ones did. Chat.start checks it against the gate again when it continues.
    Candidates that differ only in earlier messages are passed over, up to CANDIDATES of them.
    """
    if not user_texts:
        return None
    caller = view.caller
    wanted = list(user_texts)
    for skipped in range(CANDIDATES):
        parameters = (caller.scope, caller.user_id, agent, wanted[-1], len(wanted), skipped)
        rows = await view.store.db.fetchall(_CANDIDATE, parameters)
        if not rows:
            return None
        messages = [message_from_json(row["m_body"], row["m_seq"], row["m_created_at"]) for row in rows]
        if [m.text for m in messages if isinstance(m, UserMessage)] == wanted:
            return conversation_from(rows[0], messages)
    return None
