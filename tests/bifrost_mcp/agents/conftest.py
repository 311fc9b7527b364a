from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bifrost_mcp.ai import ModelResolver, ProviderClients, ResolvedModel
from tests.support.ai import KEYS, MODELS, VENDOR_ENVIRONMENT, Vendor, settings_of, start_server


@pytest.fixture(autouse=True)
def _no_vendor_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # a developer's real keys must neither leak into these tests nor make them pass by accident
    for name in VENDOR_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["anthropic", "openai"])
def vendor(request: pytest.FixtureRequest) -> Iterator[Vendor]:
    name: str = request.param
    server = start_server(name)
    settings = {
        f"{name}_api_key": KEYS[name],
        f"{name}_base_url": server.base_url,
        "ai_default_model": f"{name}:{MODELS[name]}",
    }
    yield Vendor(name, server, settings)
    server.stop()


@pytest.fixture
async def model(vendor: Vendor) -> AsyncIterator[ResolvedModel]:
    """The vendor's real SDK behind the host's ChatModel, resolved as a caller's model is, aimed at loopback."""
    clients = ProviderClients()
    yield await ModelResolver(settings_of(vendor.settings), clients, max_retries=0).resolve(None)
    await clients.aclose()
