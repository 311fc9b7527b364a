"""`bifrost.integrations` for one caller and run."""

from __future__ import annotations

from bifrost.types import IntegrationData
from bifrost_mcp.access import resolve_scope
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.integrations.store import IntegrationsStore
from bifrost_mcp.executions.state import RunState


class IntegrationsView:
    """The caller's organization's integrations; another organization's only for platform admins."""

    def __init__(self, store: IntegrationsStore, caller: Caller, run_state: RunState | None) -> None:
        self._store = store
        self._caller = caller
        self._run_state = run_state

    async def get(self, name: str, org_id: str | None) -> IntegrationData | None:
        """The integration for the caller's organization (or `org_id`), with fresh decrypted tokens, or None.

        A caller without organization (GLOBAL scope) and no `org_id` gets the integration's default config
        without entity or OAuth (see `IntegrationsStore.resolve`).

        Raises:
            AccessDenied: `org_id` is another organization and the caller is not a platform admin.
            IntegrationError: the token needed a refresh and it failed.
        """
        scope = resolve_scope(self._caller, org_id)
        data = await self._store.resolve(name, scope)
        if data is not None and data.oauth is not None and self._run_state is not None:
            self._run_state.add_secret(data.oauth.access_token)
            if data.oauth.refresh_token:
                self._run_state.add_secret(data.oauth.refresh_token)
        return data
