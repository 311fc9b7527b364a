"""Fixtures for tests that talk to the vendor SDKs: each provider's loopback server, and no real keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.ai import KEYS, MODELS, VENDOR_ENVIRONMENT, Vendor, start_server


@pytest.fixture(autouse=True)
def _no_vendor_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # a developer's real keys must neither leak into these tests nor make them pass by accident
    for name in VENDOR_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["anthropic", "openai"])
def vendor(request: pytest.FixtureRequest) -> Iterator[Vendor]:
    """Each provider in turn: its loopback server, and the settings that point the host at it."""
    name: str = request.param
    server = start_server(name)
    settings = {
        f"{name}_api_key": KEYS[name],
        f"{name}_base_url": server.base_url,
        "ai_default_model": f"{name}:{MODELS[name]}",
    }
    yield Vendor(name, server, settings)
    server.stop()
