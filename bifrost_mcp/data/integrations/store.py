"""Integrations, their organization mappings and OAuth tokens; one store per process (`Host.integrations`)."""

from __future__ import annotations

import builtins
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx2

from bifrost.errors import NotFoundError, ValidationError
from bifrost.platform import GLOBAL_SCOPE
from bifrost.types import IntegrationData, OAuthCredentials
from bifrost_mcp.clock import SYSTEM_CLOCK, Clock
from bifrost_mcp.data.integrations.models import (
    IntegrationInfo,
    MappingInfo,
    check_name,
    check_scopes,
    check_token_url,
    dump_config,
    integration_info,
    load_json,
    mapping_info,
    utc_iso,
)
from bifrost_mcp.data.integrations.refresh import plan_refresh, refresh_token
from bifrost_mcp.data.secrets import SecretBox
from bifrost_mcp.storage import Database

DEFAULT_REFRESH_MARGIN = timedelta(seconds=60)
DEFAULT_HTTP_TIMEOUT = 15.0


def _now() -> str:
    return utc_iso(datetime.now(UTC))


class IntegrationsStore:
    """Admin operations, and `resolve` for workflows, which refreshes a token once for many concurrent callers.

    Refresh locks are per (integration, organization) and per process: concurrent callers in this process
    trigger one token request; separate processes sharing a data dir may each refresh once.
    """

    def __init__(
        self,
        db: Database,
        secrets: SecretBox,
        http_client: httpx2.AsyncClient | None = None,
        *,
        refresh_margin: timedelta = DEFAULT_REFRESH_MARGIN,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.db = db
        self.secrets = secrets
        self.refresh_margin = refresh_margin
        self.clock = clock  # token expiry; created_at and updated_at are records
        self._http = http_client
        self._owns_http = http_client is None
        self._locks: dict[tuple[str, str], anyio.Lock] = {}

    @property
    def callers_awaiting_refresh(self) -> int:
        """How many callers in this process wait for a token refresh that another caller has in flight."""
        return sum(lock.statistics().tasks_waiting for lock in self._locks.values())

    async def aclose(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    # admin: integrations
    async def create(
        self,
        name: str,
        *,
        token_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        scopes: builtins.list[str] | None = None,
        config: dict[str, Any] | None = None,
    ) -> IntegrationInfo:
        check_name(name)
        now = _now()
        try:
            await self._insert_integration(name, token_url, client_id, client_secret, scopes, config, now)
        except sqlite3.IntegrityError:
            raise ValidationError(
                f"an integration named {name!r} exists; change it with `bifrost-mcp integrations update`"
            ) from None
        return await self.get(name)

    async def _insert_integration(
        self,
        name: str,
        token_url: str | None,
        client_id: str | None,
        client_secret: str | None,
        scopes: builtins.list[str] | None,
        config: dict[str, Any] | None,
        now: str,
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO integrations (id, name, token_url, client_id, client_secret_enc, scopes, default_config,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    str(uuid.uuid4()),
                    name,
                    check_token_url(token_url) if token_url else None,
                    client_id or None,
                    self.secrets.encrypt(client_secret) if client_secret else None,
                    check_scopes(scopes or []),
                    dump_config(config or {}),
                    now,
                    now,
                ),
            )

    async def update(
        self,
        name: str,
        *,
        token_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        scopes: builtins.list[str] | None = None,
        config: dict[str, Any] | None = None,
    ) -> IntegrationInfo:
        """Change the given fields (None leaves one unchanged); `config` keys are merged into the defaults."""
        row = await self._require(name)
        changes: dict[str, Any] = {}
        if token_url is not None:
            changes["token_url"] = check_token_url(token_url)
        if client_id is not None:
            changes["client_id"] = client_id or None
        if scopes is not None:
            changes["scopes"] = check_scopes(scopes)
        if config is not None:
            changes["default_config"] = dump_config({**load_json(row["default_config"]), **config})
        async with self.db.transaction() as conn:
            if client_secret is not None:
                changes["client_secret_enc"] = self.secrets.encrypt(client_secret) if client_secret else None
            changes["updated_at"] = _now()
            assignments = ", ".join(f"{column} = ?" for column in changes)
            await conn.execute(f"UPDATE integrations SET {assignments} WHERE id = ?", (*changes.values(), row["id"]))
        return await self.get(name)

    async def get(self, name: str) -> IntegrationInfo:
        return integration_info(await self._require(name))

    async def list(self) -> builtins.list[IntegrationInfo]:
        rows = await self.db.fetchall("SELECT * FROM integrations ORDER BY name COLLATE NOCASE")
        return [integration_info(r) for r in rows]

    async def delete(self, name: str) -> bool:
        """Delete the integration with all its mappings and tokens."""
        return await self.db.execute("DELETE FROM integrations WHERE name = ? COLLATE NOCASE", (check_name(name),)) > 0

    # admin: organization mappings
    async def map(
        self,
        name: str,
        org_id: str,
        *,
        entity_id: str | None = None,
        entity_name: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> MappingInfo:
        """Map the integration to an organization, or update the mapping (given fields replace, config merges)."""
        integration = await self._require(name)
        existing = await self._mapping_row(integration["id"], org_id)
        merged = {**(load_json(existing["config"]) if existing else {}), **(config or {})}
        now = _now()
        try:
            await self.db.execute(
                "INSERT INTO integration_mappings (id, integration_id, organization_id, entity_id, entity_name, config,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (integration_id, organization_id)"
                " DO UPDATE SET entity_id = COALESCE(excluded.entity_id, entity_id),"
                " entity_name = COALESCE(excluded.entity_name, entity_name), config = excluded.config,"
                " updated_at = excluded.updated_at",
                (str(uuid.uuid4()), integration["id"], org_id, entity_id, entity_name, dump_config(merged), now, now),
            )
        except sqlite3.IntegrityError:
            raise ValidationError(f"no organization with id {org_id!r}; see `bifrost-mcp orgs list`") from None
        return await self.mapping(name, org_id)

    async def unmap(self, name: str, org_id: str) -> bool:
        integration = await self._require(name)
        changed = await self.db.execute(
            "DELETE FROM integration_mappings WHERE integration_id = ? AND organization_id = ?",
            (integration["id"], org_id),
        )
        return changed > 0

    async def mapping(self, name: str, org_id: str) -> MappingInfo:
        integration = await self._require(name)
        row = await self._mapping_row(integration["id"], org_id)
        if row is None:
            raise NotFoundError(self._unmapped(integration["name"], org_id))
        return mapping_info(integration["name"], row)

    async def mappings(self, name: str) -> builtins.list[MappingInfo]:
        integration = await self._require(name)
        rows = await self.db.fetchall(
            "SELECT * FROM integration_mappings WHERE integration_id = ? ORDER BY organization_id", (integration["id"],)
        )
        return [mapping_info(integration["name"], r) for r in rows]

    async def set_oauth(
        self,
        name: str,
        org_id: str,
        *,
        access_token: str,
        refresh_token: str | None = None,
        expires_at: datetime | None = None,
        token_type: str = "Bearer",
        scopes: builtins.list[str] | None = None,
    ) -> MappingInfo:
        """Store the organization's OAuth tokens (encrypted), replacing any earlier ones."""
        if not access_token:
            raise ValidationError("access token must not be empty")
        integration = await self._require(name)
        if await self._mapping_row(integration["id"], org_id) is None:
            raise NotFoundError(self._unmapped(integration["name"], org_id))
        expires = utc_iso(expires_at) if expires_at is not None else None
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE integration_mappings SET access_token_enc = ?, refresh_token_enc = ?, expires_at = ?,"
                " token_type = ?, token_scopes = ?, updated_at = ? WHERE integration_id = ? AND organization_id = ?",
                (
                    self.secrets.encrypt(access_token),
                    self.secrets.encrypt(refresh_token) if refresh_token else None,
                    expires,
                    token_type or "Bearer",
                    check_scopes(scopes or []),
                    _now(),
                    integration["id"],
                    org_id,
                ),
            )
        return await self.mapping(name, org_id)

    # workflows
    async def resolve(self, name: str, scope: str) -> IntegrationData | None:
        """The integration for `scope`, with fresh decrypted tokens; None if unknown or not mapped to the org.

        A GLOBAL scope (a platform admin or GLOBAL key without organization) gets the integration's defaults:
        its config, no entity and no OAuth, since tokens belong to organizations.

        Raises:
            IntegrationError: the token needed a refresh and it failed.
        """
        integration = await self._integration_row(name)
        if integration is None:
            return None
        if scope == GLOBAL_SCOPE:
            return IntegrationData(integration_id=integration["id"], config=load_json(integration["default_config"]))
        mapping = await self._mapping_row(integration["id"], scope)
        if mapping is None:
            return None
        if plan_refresh(integration, mapping, self.refresh_margin, self.clock.now()) is not None:
            async with self._locks.setdefault((integration["id"], scope), anyio.Lock()):
                # Whoever held the lock before us may have refreshed already: decide again on the stored row.
                mapping = await self._mapping_row(integration["id"], scope)
                if mapping is None:
                    return None
                grant = plan_refresh(integration, mapping, self.refresh_margin, self.clock.now())
                if grant is not None:
                    await refresh_token(
                        self.db, self.secrets, self._client(), integration, mapping, grant, clock=self.clock
                    )
                    mapping = await self._mapping_row(integration["id"], scope)
                    if mapping is None:
                        return None
        return self._data(integration, mapping)

    def _data(self, integration: sqlite3.Row, mapping: sqlite3.Row) -> IntegrationData:
        oauth = None
        if mapping["access_token_enc"] is not None:
            refresh = mapping["refresh_token_enc"]
            oauth = OAuthCredentials(
                access_token=self.secrets.decrypt(mapping["access_token_enc"]),
                refresh_token=self.secrets.decrypt(refresh) if refresh is not None else None,
                expires_at=mapping["expires_at"],
                token_type=mapping["token_type"],
                scopes=mapping["token_scopes"].split(),
            )
        return IntegrationData(
            integration_id=integration["id"],
            entity_id=mapping["entity_id"],
            entity_name=mapping["entity_name"],
            config={**load_json(integration["default_config"]), **load_json(mapping["config"])},
            oauth=oauth,
        )

    def _client(self) -> httpx2.AsyncClient:
        if self._http is None:
            self._http = httpx2.AsyncClient(timeout=DEFAULT_HTTP_TIMEOUT)
        return self._http

    async def _integration_row(self, name: str) -> sqlite3.Row | None:
        return await self.db.fetchone("SELECT * FROM integrations WHERE name = ? COLLATE NOCASE", (name,))

    async def _require(self, name: str) -> sqlite3.Row:
        row = await self._integration_row(check_name(name))
        if row is None:
            raise NotFoundError(f"no integration named {name!r}; see `bifrost-mcp integrations list`")
        return row

    async def _mapping_row(self, integration_id: str, org_id: str) -> sqlite3.Row | None:
        return await self.db.fetchone(
            "SELECT * FROM integration_mappings WHERE integration_id = ? AND organization_id = ?",
            (integration_id, org_id),
        )

    @staticmethod
    def _unmapped(name: str, org_id: str) -> str:
        return f"integration {name!r} is not mapped to organization {org_id}; run `bifrost-mcp integrations map`"
