"""AI provider settings for one caller, read from config at the levels the access gate names for each key.

Every provider setting of both levels is read in one statement, on the first read: resolving a model reads
up to ten of them (every chat turn does), and one indexed read costs what one point read does. The values
are those of that moment for the settings' lifetime (one model resolution, or one run), as they were when
each key was read on its own and remembered (`ModelResolver`). A secret is decrypted only when read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from bifrost.enums import ConfigType
from bifrost.platform import GLOBAL_SCOPE
from bifrost_mcp import access
from bifrost_mcp.data.config import ConfigStore, check_key
from bifrost_mcp.executions.state import RunState

Settings = Callable[[str], Awaitable[Any]]
_URL_SUFFIX = "_base_url"
_KEY_SUFFIX = "_api_key"
# Every key `ai.models` reads (a test holds the two lists together); any other key is read on its own.
_PROVIDERS = ("anthropic", "openai", "ollama", "compatible")
PROVIDER_SETTINGS = (
    "ai_default_model",
    "ai_max_retries",
    *(provider + suffix for provider in _PROVIDERS for suffix in (_KEY_SUFFIX, _URL_SUFFIX)),
)


class CallerSettings:
    """`Settings` of one caller: `await settings(key)` is the value `key` has for them, or None."""

    def __init__(self, store: ConfigStore, scope: str, state: RunState | None) -> None:
        self._store = store
        self._scope = scope
        self._state = state
        self._stored: dict[tuple[str, str], sqlite3.Row] | None = None

    async def __call__(self, key: str) -> Any:
        for level in access.provider_setting_scopes(self._scope, key, await self._org_has_provider_key(key)):
            found = await self._value_in(level, key)
            if found is not None:
                return found
        return None

    @property
    def scope(self) -> str:
        return self._scope

    async def stored(self) -> tuple[tuple[Any, ...], ...]:
        """The provider settings' rows as stored (secrets encrypted): equal for equal settings, for a cache key."""
        rows = await self._provider_rows()
        columns = ("scope", "key", "type", "value", "ciphertext")
        return tuple(tuple(rows[found][column] for column in columns) for found in sorted(rows))

    async def _provider_rows(self) -> dict[tuple[str, str], sqlite3.Row]:
        if self._stored is None:
            self._stored = await self._store.rows(access.readable_scopes(self._scope), PROVIDER_SETTINGS)
        return self._stored

    async def _row_in(self, level: str, key: str) -> sqlite3.Row | None:
        if key not in PROVIDER_SETTINGS:
            return await self._store.lookup(level, check_key(key), fallback=False)
        return (await self._provider_rows()).get((level, key))

    async def _value_in(self, level: str, key: str) -> Any:
        row = await self._row_in(level, key)
        if row is None:
            return None
        value = self._store.plain_value(row)
        if row["type"] == ConfigType.SECRET and self._state is not None:
            self._state.add_secret(value)
        return value

    async def _org_has_provider_key(self, key: str) -> bool:
        if self._scope == GLOBAL_SCOPE or not key.endswith(_URL_SUFFIX):
            return True  # the rule only asks about an organization's base URL
        provider = key.removesuffix(_URL_SUFFIX)
        return await self._row_in(self._scope, provider + _KEY_SUFFIX) is not None


def caller_settings(store: ConfigStore, scope: str, state: RunState | None) -> CallerSettings:
    return CallerSettings(store, scope, state)
