"""Integrations: per-organization config and OAuth tokens (encrypted), refreshed automatically."""

from bifrost_mcp.data.integrations.models import IntegrationInfo, MappingInfo
from bifrost_mcp.data.integrations.schema import ENCRYPTED_COLUMNS, MIGRATIONS
from bifrost_mcp.data.integrations.store import IntegrationsStore
from bifrost_mcp.data.integrations.view import IntegrationsView

__all__ = [
    "ENCRYPTED_COLUMNS",
    "MIGRATIONS",
    "IntegrationInfo",
    "IntegrationsStore",
    "IntegrationsView",
    "MappingInfo",
]
