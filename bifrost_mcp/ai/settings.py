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


def caller_settings(store: ConfigStore, scope: str, state: RunState | None) -> Settings:
    stored: dict[tuple[str, str], sqlite3.Row] | None = None

    async def row_in(level: str, key: str) -> sqlite3.Row | None:
        nonlocal stored
        if key not in PROVIDER_SETTINGS:
            return await store.lookup(level, check_key(key), fallback=False)
        if stored is None:
            stored = await store.rows(access.readable_scopes(scope), PROVIDER_SETTINGS)
        return stored.get((level, key))

    async def value_in(level: str, key: str) -> Any:
        row = await row_in(level, key)
        if row is None:
            return None
        value = store.plain_value(row)
        if row["type"] == ConfigType.SECRET and state is not None:
            state.add_secret(value)
        return value

    async def org_has_provider_key(key: str) -> bool:
        if scope == GLOBAL_SCOPE or not key.endswith(_URL_SUFFIX):
            return True  # the rule only asks about an organization's base URL
        provider = key.removesuffix(_URL_SUFFIX)
        return await row_in(scope, provider + _KEY_SUFFIX) is not None

    async def settings(key: str) -> Any:
        for level in access.provider_setting_scopes(scope, key, await org_has_provider_key(key)):
            found = await value_in(level, key)
            if found is not None:
                return found
        return None

    return settings
