"""AI provider settings for one caller, read from config so that a key never travels to another tenant's URL.

Keys and values come from the caller's organization, else GLOBAL. A provider's base URL is read from the same
level as the key it will carry: when the organization relies on the GLOBAL key, an organization-level
`*_base_url` is ignored, so nobody can point the platform's key at a server they control.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bifrost._context import GLOBAL_SCOPE
from bifrost_mcp.data.config import ConfigAdmin
from bifrost_mcp.runner.state import RunState

Settings = Callable[[str], Awaitable[Any]]
_URL_SUFFIX = "_base_url"
_KEY_SUFFIX = "_api_key"


def caller_settings(admin: ConfigAdmin, scope: str, state: RunState | None) -> Settings:
    async def value_in(level: str, key: str) -> Any:
        data = await admin.get(level, key, reveal=True, fallback=False)
        if data is None:
            return None
        if data.is_secret and state is not None:
            state.add_secret(data.value)
        return data.value

    async def settings(key: str) -> Any:
        if scope == GLOBAL_SCOPE:
            return await value_in(GLOBAL_SCOPE, key)
        if key.endswith(_URL_SUFFIX):
            provider = key.removesuffix(_URL_SUFFIX)
            org_has_key = await admin.get(scope, provider + _KEY_SUFFIX, fallback=False) is not None
            if not org_has_key:
                return await value_in(GLOBAL_SCOPE, key)
        found = await value_in(scope, key)
        return found if found is not None else await value_in(GLOBAL_SCOPE, key)

    return settings
