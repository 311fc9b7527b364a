"""Config values and secrets per scope (an organization id or GLOBAL); reads fall back from the org to GLOBAL.

Values keep their type (`ConfigType`): str, int, bool as themselves; float, dict and list as JSON. A secret
holds any of those, JSON-encoded then Fernet-encrypted; its plaintext is never stored. Every admin surface
shows a secret as "[SECRET]"; only `ConfigView.get` (a workflow reading its own config) and an explicit
`ConfigStore.get(..., reveal=True)` return the plain value.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bifrost.enums import ConfigType
from bifrost.types import ConfigData
from bifrost.values import check_key, encode_value
from bifrost_mcp.access import readable_scopes, resolve_scope, writable_scope
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.secrets import SECRET_MASK, EncryptedColumn, SecretBox
from bifrost_mcp.executions.state import RunState
from bifrost_mcp.storage import Database, Migration

MIGRATIONS = [
    Migration(
        400,
        "config",
        """
        CREATE TABLE config_values (
            id TEXT PRIMARY KEY,
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            type TEXT NOT NULL,
            value TEXT,
            ciphertext TEXT,
            updated_by TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (scope, key),
            CHECK ((type = 'secret') = (ciphertext IS NOT NULL AND value IS NULL))
        );
        """,
    ),
]
ENCRYPTED_COLUMNS = [EncryptedColumn("config_values", "id", "ciphertext")]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class ConfigStore:
    """Config in an explicit scope: the CLI and the other host parts use this; workflows get `ConfigView`."""

    def __init__(self, db: Database, secrets: SecretBox) -> None:
        self.db = db
        self.secrets = secrets

    async def get(self, scope: str, key: str, *, reveal: bool = False, fallback: bool = True) -> ConfigData | None:
        """The entry for `key` in `scope` (else GLOBAL when `fallback`), secrets masked unless `reveal`."""
        row = await self.lookup(scope, check_key(key), fallback)
        return None if row is None else self._data(row, reveal=reveal)

    async def set(
        self, scope: str, key: str, value: Any, *, is_secret: bool = False, updated_by: str | None = None
    ) -> ConfigData:
        check_key(key)
        kind, text = encode_value(value)
        now = _now()
        async with self.db.transaction() as conn:
            # Encrypt inside the write transaction: a concurrent key rotation cannot slip in between.
            ciphertext = self.secrets.encrypt(text) if is_secret else None
            await conn.execute(
                "INSERT INTO config_values (id, scope, key, type, value, ciphertext, updated_by, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (scope, key) DO UPDATE SET type = excluded.type, value = excluded.value,"
                " ciphertext = excluded.ciphertext, updated_by = excluded.updated_by,"
                " updated_at = excluded.updated_at",
                (
                    str(uuid.uuid4()),
                    scope,
                    key,
                    ConfigType.SECRET.value if is_secret else kind.value,
                    None if is_secret else text,
                    ciphertext,
                    updated_by,
                    now,
                    now,
                ),
            )
        stored_type = ConfigType.SECRET if is_secret else kind
        shown = SECRET_MASK if is_secret else json.loads(text)
        return ConfigData(key=key, value=shown, type=stored_type.value, scope=scope, is_secret=is_secret)

    async def list(self, scope: str, *, fallback: bool = True) -> builtins.list[ConfigData]:
        """Every key visible in `scope` (its own over GLOBAL's when `fallback`), sorted, secrets masked."""
        scopes = readable_scopes(scope) if fallback else (scope,)
        entries: dict[str, ConfigData] = {}
        for current in reversed(scopes):  # GLOBAL first, so the organization's values override
            rows = await self.db.fetchall("SELECT * FROM config_values WHERE scope = ? ORDER BY key", (current,))
            for row in rows:
                entries[row["key"]] = self._data(row, reveal=False)
        return [entries[k] for k in sorted(entries)]

    async def delete(self, scope: str, key: str) -> bool:
        changed = await self.db.execute(
            "DELETE FROM config_values WHERE scope = ? AND key = ?", (scope, check_key(key))
        )
        return changed > 0

    async def lookup(self, scope: str, key: str, fallback: bool) -> sqlite3.Row | None:
        """The stored row for `key`: the scope's own, else (with `fallback`) GLOBAL's."""
        # point reads on the (scope, key) index, several per chat turn (the model's settings): inline, since a
        # round trip to the database thread costs far more than the read
        for current in readable_scopes(scope) if fallback else (scope,):
            rows = await self.db.lookup("SELECT * FROM config_values WHERE scope = ? AND key = ?", (current, key))
            if rows:
                return rows[0]
        return None

    async def rows(self, scopes: Sequence[str], keys: Sequence[str]) -> dict[tuple[str, str], sqlite3.Row]:
        """The stored rows of `keys` in `scopes`, (scope, key) → row, in one read on the (scope, key) index.

        For a reader of several settings at once (the AI provider's, every chat turn): one statement instead
        of one per key and scope. Values are as stored (secrets encrypted: `plain_value` reveals one).
        """
        if not scopes or not keys:
            return {}
        scope_marks, key_marks = ", ".join("?" * len(scopes)), ", ".join("?" * len(keys))
        found = await self.db.lookup(
            f"SELECT * FROM config_values WHERE scope IN ({scope_marks}) AND key IN ({key_marks})",
            (*scopes, *(check_key(key) for key in keys)),
        )
        return {(row["scope"], row["key"]): row for row in found}

    def plain_value(self, row: sqlite3.Row) -> Any:
        text = self.secrets.decrypt(row["ciphertext"]) if row["type"] == ConfigType.SECRET else row["value"]
        return json.loads(text)

    def _data(self, row: sqlite3.Row, *, reveal: bool) -> ConfigData:
        is_secret = row["type"] == ConfigType.SECRET
        value = SECRET_MASK if is_secret and not reveal else self.plain_value(row)
        return ConfigData(key=row["key"], value=value, type=row["type"], scope=row["scope"], is_secret=is_secret)


class ConfigView:
    """`bifrost.config` for one caller and run: reads org over GLOBAL, writes and deletes in the caller's scope.

    Writing GLOBAL is for those the gate lets (`access.writable_scope`): its provider settings reach everyone.
    """

    def __init__(self, store: ConfigStore, caller: Caller, run_state: RunState | None) -> None:
        self._admin = store
        self._caller = caller
        self._scope = resolve_scope(caller, None)
        self._user_id = caller.user_id
        self._run_state = run_state

    async def get(self, key: str, default: Any = None) -> Any:
        row = await self._admin.lookup(self._scope, check_key(key), fallback=True)
        if row is None:
            return default
        value = self._admin.plain_value(row)
        if row["type"] == ConfigType.SECRET:
            self._remember_secret(value)
        return value

    async def set(self, key: str, value: Any, is_secret: bool = False) -> None:
        if is_secret:
            self._remember_secret(value)
        scope = writable_scope(self._caller)
        await self._admin.set(scope, key, value, is_secret=is_secret, updated_by=self._user_id)

    async def list(self) -> dict[str, Any]:
        return {entry.key: entry.value for entry in await self._admin.list(self._scope)}

    async def delete(self, key: str) -> bool:
        return await self._admin.delete(writable_scope(self._caller), key)

    def _remember_secret(self, value: Any) -> None:
        """Register a secret (every string or number inside it) for redaction from this run's output."""
        if self._run_state is None:
            return
        if isinstance(value, dict):
            for item in value.values():
                self._remember_secret(item)
        elif isinstance(value, list):
            for item in value:
                self._remember_secret(item)
        else:
            self._run_state.add_secret(value)


__all__ = ["ENCRYPTED_COLUMNS", "MIGRATIONS", "ConfigStore", "ConfigView", "check_key", "encode_value"]
