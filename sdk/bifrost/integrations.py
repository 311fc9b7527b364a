"""Integrations: per-organization config and OAuth credentials, refreshed automatically."""

from __future__ import annotations

from bifrost.platform import call, returned_or_none
from bifrost.types import IntegrationData


async def get(name: str, org_id: str | None = None) -> IntegrationData | None:
    """The integration `name` for the caller's organization (or `org_id`, platform admins only), or None."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("integration name must be a non-empty string")
    return returned_or_none(IntegrationData, await call("integrations.get", name=name, org_id=org_id))


__all__ = ["get"]
