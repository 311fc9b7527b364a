from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bifrost_mcp.ai import ModelResolver, ProviderClients, ResolvedModel
from tests.support.ai import Vendor, settings_of


@pytest.fixture
async def model(vendor: Vendor) -> AsyncIterator[ResolvedModel]:
    """The vendor's real SDK behind the host's ChatModel, resolved as a caller's model is, aimed at loopback."""
    clients = ProviderClients()
    yield await ModelResolver(settings_of(vendor.settings), clients, max_retries=0).resolve(None)
    await clients.aclose()
