"""The conversations tables (migrations 600-649)."""

from __future__ import annotations

from bifrost_mcp.storage import Migration

MIGRATIONS = [
    Migration(
        600,
        "conversations",
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            agent TEXT NOT NULL,
            user_id TEXT NOT NULL,
            scope TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            message_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX conversations_user_updated ON conversations (scope, user_id, updated_at);
        CREATE INDEX conversations_scope_updated ON conversations (scope, updated_at);
        CREATE INDEX conversations_updated ON conversations (updated_at);
        CREATE TABLE conversation_messages (
            conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            body_json TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (conversation_id, seq)
        ) WITHOUT ROWID;
        """,
    )
]
