"""Integration tables (migration versions 450-499) and their encrypted columns."""

from bifrost_mcp.data.secrets import EncryptedColumn
from bifrost_mcp.storage import Migration

MIGRATIONS = [
    Migration(
        450,
        "integrations",
        """
        CREATE TABLE integrations (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            token_url TEXT,
            client_id TEXT,
            client_secret_enc TEXT,
            scopes TEXT NOT NULL DEFAULT '',
            default_config TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX integrations_name ON integrations (name COLLATE NOCASE);
        CREATE TABLE integration_mappings (
            id TEXT PRIMARY KEY,
            integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
            organization_id TEXT NOT NULL REFERENCES organizations (id),
            entity_id TEXT,
            entity_name TEXT,
            config TEXT NOT NULL DEFAULT '{}',
            access_token_enc TEXT,
            refresh_token_enc TEXT,
            expires_at TEXT,
            token_type TEXT NOT NULL DEFAULT 'Bearer',
            token_scopes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (integration_id, organization_id)
        );
        CREATE INDEX integration_mappings_org ON integration_mappings (organization_id);
        """,
    ),
]

ENCRYPTED_COLUMNS = [
    EncryptedColumn("integrations", "id", "client_secret_enc"),
    EncryptedColumn("integration_mappings", "id", "access_token_enc"),
    EncryptedColumn("integration_mappings", "id", "refresh_token_enc"),
]
