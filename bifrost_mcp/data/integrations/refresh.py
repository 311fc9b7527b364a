"""When and how an organization's OAuth token is refreshed, and storing the new one (encrypted)."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Literal

import httpx2

from bifrost.errors import IntegrationError
from bifrost_mcp.clock import SYSTEM_CLOCK, Clock
from bifrost_mcp.data.integrations.models import ENTITY_PLACEHOLDER, parse_time, utc_iso
from bifrost_mcp.data.integrations.oauth import request_token
from bifrost_mcp.data.secrets import SecretBox
from bifrost_mcp.storage import Database

logger = logging.getLogger(__name__)

Grant = Literal["refresh_token", "client_credentials"]


def _label(integration: sqlite3.Row, mapping: sqlite3.Row) -> str:
    return f"integration {integration['name']!r} (organization {mapping['organization_id']})"


def plan_refresh(integration: sqlite3.Row, mapping: sqlite3.Row, margin: timedelta, now: datetime) -> Grant | None:
    """The grant to run at `now`, or None when the stored token is fine (or the mapping has no OAuth at all).

    Raises:
        IntegrationError: the access token has expired and there is nothing to refresh it with.
    """
    expires_at = parse_time(mapping["expires_at"])
    has_token = mapping["access_token_enc"] is not None
    if has_token and (expires_at is None or expires_at - margin > now):
        return None
    if mapping["refresh_token_enc"] is not None:
        return "refresh_token"
    if integration["client_id"] and integration["client_secret_enc"] is not None:
        return "client_credentials"
    if has_token and expires_at is not None and expires_at <= now:
        name = integration["name"]
        raise IntegrationError(
            f"{_label(integration, mapping)}: the access token expired at {mapping['expires_at']} and cannot be "
            "refreshed: there is no refresh token and no client credentials. Ask an admin to run "
            f"`bifrost-mcp integrations set-oauth {name} --org {mapping['organization_id']} ...` or to set "
            f"client credentials with `bifrost-mcp integrations update {name} --client-id ... --client-secret ...`"
        )
    return None  # no OAuth configured, or nearly expired but still valid with no way to renew it


async def refresh_token(
    db: Database,
    secrets: SecretBox,
    http: httpx2.AsyncClient,
    integration: sqlite3.Row,
    mapping: sqlite3.Row,
    grant: Grant,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> None:
    """Run `grant` against the integration's token URL and store the new tokens encrypted.

    Raises:
        IntegrationError: naming the integration, the organization and what failed; never a secret.
    """
    what = f"{_label(integration, mapping)}: token refresh ({grant} grant)"
    url = _token_url(integration, mapping, what)
    client_secret = (
        secrets.decrypt(integration["client_secret_enc"]) if integration["client_secret_enc"] is not None else None
    )
    form: dict[str, str] = {"grant_type": grant}
    old_refresh: str | None = None
    if grant == "refresh_token":
        old_refresh = secrets.decrypt(mapping["refresh_token_enc"])
        form["refresh_token"] = old_refresh
    elif integration["scopes"]:
        form["scope"] = integration["scopes"]
    if integration["client_id"]:
        form["client_id"] = integration["client_id"]
    if client_secret:
        form["client_secret"] = client_secret
    scrub = [s for s in (old_refresh, client_secret) if s]
    result = await request_token(http, url, form, what=what, scrub=scrub, clock=clock)
    async with db.transaction() as conn:
        # Encrypt inside the write transaction (see secrets.py); COALESCE keeps the stored refresh token when
        # the endpoint issued no new one, without ever writing back ciphertext read before this transaction.
        await conn.execute(
            "UPDATE integration_mappings SET access_token_enc = ?, refresh_token_enc = COALESCE(?, refresh_token_enc),"
            " expires_at = ?, token_type = ?, token_scopes = COALESCE(?, token_scopes), updated_at = ? WHERE id = ?",
            (
                secrets.encrypt(result.access_token),
                secrets.encrypt(result.refresh_token) if result.refresh_token else None,
                utc_iso(result.expires_at) if result.expires_at else None,
                result.token_type,
                " ".join(result.scopes) if result.scopes is not None else None,
                utc_iso(datetime.now(UTC)),
                mapping["id"],
            ),
        )
    logger.info("refreshed the OAuth token of %s with the %s grant", _label(integration, mapping), grant)


def _token_url(integration: sqlite3.Row, mapping: sqlite3.Row, what: str) -> str:
    url: str | None = integration["token_url"]
    name = integration["name"]
    if not url:
        raise IntegrationError(
            f"{what} failed: the integration has no token URL; set one with "
            f"`bifrost-mcp integrations update {name} --token-url URL`"
        )
    if ENTITY_PLACEHOLDER in url:
        if not mapping["entity_id"]:
            raise IntegrationError(
                f"{what} failed: the token URL needs the organization's entity id; set it with "
                f"`bifrost-mcp integrations map {name} --org {mapping['organization_id']} --entity-id ID`"
            )
        url = url.replace(ENTITY_PLACEHOLDER, mapping["entity_id"])
    return url
