from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bifrost_mcp.ai import ProviderClients
from tests.support.ai import Usage, start_server
from tests.support.loopback import ScriptedServer


@pytest.fixture
async def clients() -> AsyncIterator[ProviderClients]:
    provider_clients = ProviderClients()
    yield provider_clients
    await provider_clients.aclose()


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
