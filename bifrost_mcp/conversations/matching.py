"""Which of the caller's conversations a client's resent history continues.

Chat clients of the OpenAI-compatible API (Open WebUI, LibreChat, the SDKs) keep no conversation id: every
request carries the whole history. It continues the caller's own conversation with that agent, in the scope
they act in, whose user messages in order equal the client's earlier ones; the most recently active one when
several do. Only user messages are compared: they are what the person typed, while the assistant's side as a
client shows it (tool steps as text lines) is not what the conversation stores.
"""

from __future__ import annotations

from collections.abc import Sequence

from bifrost_mcp.conversations.view import ConversationsView

CANDIDATES = 20

# The caller's conversations with the agent whose last user message is the client's, most recent first,
# with all their user messages in order: one query, whatever the number of candidates.
_CANDIDATE_USER_TEXTS = """
SELECT m.conversation_id AS id, json_extract(m.body_json, '$.text') AS text
FROM (
    SELECT c.id, c.updated_at, c.rowid AS position
    FROM conversations AS c
    WHERE c.scope = ? AND c.user_id = ? AND c.agent = ?
      AND (SELECT json_extract(last.body_json, '$.text') FROM conversation_messages AS last
           WHERE last.conversation_id = c.id AND last.kind = 'user' ORDER BY last.seq DESC LIMIT 1) = ?
    ORDER BY c.updated_at DESC, c.rowid DESC
    LIMIT ?
) AS candidate
JOIN conversation_messages AS m ON m.conversation_id = candidate.id AND m.kind = 'user'
ORDER BY candidate.updated_at DESC, candidate.position DESC, m.seq
"""


async def conversation_continued(view: ConversationsView, agent: str, user_texts: Sequence[str]) -> str | None:
    """The id of the caller's conversation with `agent` whose user messages are `user_texts`, or None.

    Only conversations the caller may continue are searched: their own (never another user's, even for a
    platform admin who may read it), in the scope they act in now, so the tools of the next turn run where
    the conversation's earlier ones did. Chat.turn checks the id against the gate again when it continues.
    """
    if not user_texts:
        return None
    caller = view.caller
    parameters = (caller.scope, caller.user_id, agent, user_texts[-1], CANDIDATES)
    stored: dict[str, list[str]] = {}  # in candidate order: most recent first
    for row in await view.store.db.fetchall(_CANDIDATE_USER_TEXTS, parameters):
        stored.setdefault(row["id"], []).append(row["text"])
    wanted = list(user_texts)
    return next((conversation_id for conversation_id, texts in stored.items() if texts == wanted), None)
