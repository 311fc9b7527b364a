"""`config.*` in memory, as the host does it: reads fall back from the organization to GLOBAL.

Writes and deletes act in the caller's scope. Values keep their JSON type (a tuple comes back a list); a secret
comes back in plain text from `get` and as "[SECRET]" from `list`. Values are checked like the host's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bifrost._context import ExecutionContext
from bifrost.enums import ConfigType
from bifrost.testing.memory._common import readable_scopes, writable_scope
from bifrost.types import ConfigData
from bifrost.values import check_key, encode_value

SECRET_MASK = "[SECRET]"


@dataclass(frozen=True, slots=True)
class Entry:
    type: ConfigType
    text: str  # the value as JSON, as the host stores it (encrypted there when a secret)

    @property
    def value(self) -> Any:
        return json.loads(self.text)

    def data(self, key: str, scope: str) -> ConfigData:
        is_secret = self.type == ConfigType.SECRET
        return ConfigData(key=key, value=self.value, type=self.type.value, scope=scope, is_secret=is_secret)


ConfigState = dict[str, dict[str, Entry]]  # scope -> key -> entry


def entry(value: Any, is_secret: bool) -> Entry:
    kind, text = encode_value(value)
    return Entry(ConfigType.SECRET if is_secret else kind, text)


class ConfigView:
    def __init__(self, state: ConfigState, caller: ExecutionContext) -> None:
        self._state = state
        self._caller = caller
        self._scope = caller.scope

    async def get(self, key: str, default: Any = None) -> Any:
        check_key(key)
        for scope in readable_scopes(self._scope):
            found = self._state.get(scope, {}).get(key)
            if found is not None:
                return found.value
        return default

    async def set(self, key: str, value: Any, is_secret: bool = False) -> None:
        self._state.setdefault(writable_scope(self._caller), {})[check_key(key)] = entry(value, is_secret)

    async def list(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for scope in reversed(readable_scopes(self._scope)):  # GLOBAL first, so the organization's override
            for key, found in self._state.get(scope, {}).items():
                values[key] = SECRET_MASK if found.type == ConfigType.SECRET else found.value
        return {key: values[key] for key in sorted(values)}

    async def delete(self, key: str) -> bool:
        return self._state.get(writable_scope(self._caller), {}).pop(check_key(key), None) is not None
