"""Admin views of integrations and organization mappings (secrets masked), and input checks."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx2

from bifrost.errors import ValidationError
from bifrost_mcp.data.secrets import SECRET_MASK

MAX_NAME_LENGTH = 100
ENTITY_PLACEHOLDER = "{entity_id}"


@dataclass(frozen=True, slots=True)
class IntegrationInfo:
    """An integration as admins see it: the client secret is "[SECRET]" when set, never its value."""

    id: str
    name: str
    token_url: str | None
    client_id: str | None
    client_secret: str | None
    scopes: list[str]
    config: dict[str, Any]
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class MappingInfo:
    """An integration's mapping to one organization; tokens are "[SECRET]" when set, never their values."""

    integration: str
    organization_id: str
    entity_id: str | None
    entity_name: str | None
    config: dict[str, Any]
    access_token: str | None
    refresh_token: str | None
    expires_at: str | None
    token_type: str
    scopes: list[str]


def integration_info(row: sqlite3.Row) -> IntegrationInfo:
    return IntegrationInfo(
        id=row["id"],
        name=row["name"],
        token_url=row["token_url"],
        client_id=row["client_id"],
        client_secret=_mask(row["client_secret_enc"]),
        scopes=row["scopes"].split(),
        config=load_json(row["default_config"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def mapping_info(integration_name: str, row: sqlite3.Row) -> MappingInfo:
    return MappingInfo(
        integration=integration_name,
        organization_id=row["organization_id"],
        entity_id=row["entity_id"],
        entity_name=row["entity_name"],
        config=load_json(row["config"]),
        access_token=_mask(row["access_token_enc"]),
        refresh_token=_mask(row["refresh_token_enc"]),
        expires_at=row["expires_at"],
        token_type=row["token_type"],
        scopes=row["token_scopes"].split(),
    )


def _mask(ciphertext: str | None) -> str | None:
    return None if ciphertext is None else SECRET_MASK


def load_json(text: str) -> dict[str, Any]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def dump_config(config: dict[str, Any]) -> str:
    if not isinstance(config, dict) or not all(isinstance(k, str) and k for k in config):
        raise ValidationError("integration config must be a dict with non-empty string keys")
    try:
        return json.dumps(config, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"integration config is not JSON-serializable ({exc})") from None


def check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("integration name must be a non-empty string")
    if name != name.strip() or len(name) > MAX_NAME_LENGTH or any(ord(c) < 32 for c in name):
        raise ValidationError(
            f"integration name {name[:50]!r} is invalid: use at most {MAX_NAME_LENGTH} characters, "
            "no leading or trailing spaces and no control characters"
        )
    return name


def check_token_url(url: str) -> str:
    """An http(s) URL; it may contain "{entity_id}", replaced by the mapping's entity id at refresh time."""
    try:
        parsed = httpx2.URL(url.replace(ENTITY_PLACEHOLDER, "entity"))
    except (httpx2.InvalidURL, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValidationError(f"token URL {url!r} is not an http(s) URL, e.g. https://login.example.com/oauth2/token")
    return url


def check_scopes(scopes: list[str]) -> str:
    if any(not isinstance(s, str) or not s or any(c.isspace() for c in s) for s in scopes):
        raise ValidationError("OAuth scopes must be non-empty strings without spaces (pass one scope per option)")
    return " ".join(scopes)


def utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValidationError("expires_at needs a time zone, e.g. 2030-01-01T12:00:00+00:00")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
