from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bifrost_mcp.ai import ProviderClients
from tests.support.ai import KEYS, MODELS, VENDOR_ENVIRONMENT, Usage, Vendor, start_server
from tests.support.loopback import ScriptedServer


@pytest.fixture(autouse=True)
def _no_vendor_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # a developer's real keys must neither leak into these tests nor make them pass by accident
    for name in VENDOR_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def clients() -> AsyncIterator[ProviderClients]:
    provider_clients = ProviderClients()
    yield provider_clients
    await provider_clients.aclose()


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
def anthropic_server() -> Iterator[ScriptedServer]:
    server = start_server("anthropic")
    yield server
    server.stop()


@pytest.fixture
def openai_server() -> Iterator[ScriptedServer]:
    server = start_server("openai")
    yield server
    server.stop()


@pytest.fixture
def usage() -> Usage:
    return Usage()
