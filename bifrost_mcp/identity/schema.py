"""Identity tables (migration versions 200-299), and identity's rewrites of other domains' rows (900-949)."""

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
    ),
    Migration(
        201,
        "function keys: the GLOBAL write grant",
        # Writing GLOBAL scope reaches every organization: a key gets it only when created with --global-write.
        "ALTER TABLE credentials ADD COLUMN global_write INTEGER NOT NULL DEFAULT 0;",
    ),
    # 900s: run after every domain's tables exist (versions apply in order, on a fresh database too).
    # Function keys used to act as "function-key:<name>", so keys sharing a name shared history. Each key now
    # acts as "function-key:<credential id>": a record moves to the key when exactly one key bears its name;
    # when several do, nobody can tell whose it was, so it stays under the old id, which no key acts as now
    # (platform admins still see it).
    Migration(
        900,
        "function keys: one identity per key",
        """
        CREATE TEMP TABLE function_key_owners AS
            SELECT 'function-key:' || name AS old_id, 'function-key:' || MIN(id) AS new_id
            FROM credentials WHERE kind = 'function_key' GROUP BY name HAVING COUNT(*) = 1;
        UPDATE executions SET executed_by = (SELECT new_id FROM function_key_owners WHERE old_id = executed_by)
            WHERE executed_by IN (SELECT old_id FROM function_key_owners);
        UPDATE conversations SET user_id = (SELECT new_id FROM function_key_owners WHERE old_id = user_id)
            WHERE user_id IN (SELECT old_id FROM function_key_owners);
        UPDATE config_values SET updated_by = (SELECT new_id FROM function_key_owners WHERE old_id = updated_by)
            WHERE updated_by IN (SELECT old_id FROM function_key_owners);
        DROP TABLE function_key_owners;
        """,
    ),
]
