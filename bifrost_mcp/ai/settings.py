"""AI provider settings for one caller, read from config at the levels the access gate names for each key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bifrost.platform import GLOBAL_SCOPE
from bifrost_mcp import access
from bifrost_mcp.data.config import ConfigStore
from bifrost_mcp.executions.state import RunState

Settings = Callable[[str], Awaitable[Any]]
_URL_SUFFIX = "_base_url"
_KEY_SUFFIX = "_api_key"


def caller_settings(store: ConfigStore, scope: str, state: RunState | None) -> Settings:
    async def value_in(level: str, key: str) -> Any:
        data = await store.get(level, key, reveal=True, fallback=False)
        if data is None:
            return None
        if data.is_secret and state is not None:
            state.add_secret(data.value)
        return data.value

    async def org_has_provider_key(key: str) -> bool:
        if scope == GLOBAL_SCOPE or not key.endswith(_URL_SUFFIX):
            return True  # the rule only asks about an organization's base URL
        provider = key.removesuffix(_URL_SUFFIX)
        return await store.get(scope, provider + _KEY_SUFFIX, fallback=False) is not None

    async def settings(key: str) -> Any:
        for level in access.provider_setting_scopes(scope, key, await org_has_provider_key(key)):
            found = await value_in(level, key)
            if found is not None:
                return found
        return None

    return settings
