"""Integrations: per-organization config and OAuth credentials, refreshed automatically."""

from __future__ import annotations

from bifrost._runtime import platform
from bifrost.types import IntegrationData


async def get(name: str, org_id: str | None = None) -> IntegrationData | None:
    """The integration `name` for the caller's organization (or `org_id`, platform admins only), or None."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("integration name must be a non-empty string")
    return await platform().integrations.get(name, org_id)


__all__ = ["get"]
