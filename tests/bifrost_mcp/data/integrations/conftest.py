from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bifrost.types import Organization
from bifrost_mcp.data.secrets import ENV_VAR
from bifrost_mcp.host import Host
from tests.support.data_dir import opened_host


@pytest.fixture
async def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Host]:
    monkeypatch.delenv(ENV_VAR, raising=False)
    async with opened_host(tmp_path) as opened:
        yield opened


@pytest.fixture
async def org_a(host: Host) -> Organization:
    return await host.identity.create_org("Org A")


@pytest.fixture
async def org_b(host: Host) -> Organization:
    return await host.identity.create_org("Org B")
