"""Identity tables (migration versions 200-299)."""

from bifrost_mcp.storage import Migration

MIGRATIONS = [
    Migration(
        200,
        "identity",
        """
        CREATE TABLE organizations (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            domain TEXT,
            is_active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE UNIQUE INDEX organizations_live_name ON organizations (name COLLATE NOCASE) WHERE deleted_at IS NULL;
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL,
            name TEXT NOT NULL,
            organization_id TEXT REFERENCES organizations (id),
            is_active INTEGER NOT NULL DEFAULT 1,
            is_superuser INTEGER NOT NULL DEFAULT 0,
            is_owner INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE UNIQUE INDEX users_live_email ON users (email COLLATE NOCASE) WHERE deleted_at IS NULL;
        CREATE TABLE roles (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations (id),
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            is_active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE UNIQUE INDEX roles_live_name ON roles (organization_id, name COLLATE NOCASE) WHERE deleted_at IS NULL;
        CREATE TABLE role_users (
            role_id TEXT NOT NULL REFERENCES roles (id),
            user_id TEXT NOT NULL REFERENCES users (id),
            PRIMARY KEY (role_id, user_id)
        );
        CREATE INDEX role_users_user ON role_users (user_id);
        CREATE TABLE forms (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT,
            workflow_id TEXT,
            form_schema TEXT,
            access_level TEXT NOT NULL DEFAULT 'authenticated',
            organization_id TEXT REFERENCES organizations (id),
            is_active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE TABLE role_forms (
            role_id TEXT NOT NULL REFERENCES roles (id),
            form_id TEXT NOT NULL REFERENCES forms (id),
            PRIMARY KEY (role_id, form_id)
        );
        CREATE TABLE credentials (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('token', 'function_key')),
            token_hash TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL DEFAULT '',
            user_id TEXT REFERENCES users (id),
            organization_id TEXT REFERENCES organizations (id),
            created_at TEXT NOT NULL,
            expires_at TEXT,
            revoked_at TEXT,
            last_used_at TEXT
        );
        """,
    )
]
