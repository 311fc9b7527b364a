"""A caller's AI provider settings: organization over GLOBAL under the gate's rule, read in one statement."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bifrost.errors import ConfigurationError
from bifrost.platform import GLOBAL_SCOPE
from bifrost_mcp.ai import ModelResolver, ProviderClients
from bifrost_mcp.ai.models import VENDORS
from bifrost_mcp.ai.settings import PROVIDER_SETTINGS, caller_settings
from bifrost_mcp.data.secrets import ENV_VAR
from bifrost_mcp.executions.state import RunState
from bifrost_mcp.host import Host
from tests.support.data_dir import opened_host

ORG = "org-1"


@pytest.fixture
async def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Host]:
    monkeypatch.delenv(ENV_VAR, raising=False)
    async with opened_host(tmp_path / "data") as opened:
        yield opened


def test_every_vendor_setting_is_read_with_the_others() -> None:
    for vendor in VENDORS.values():
        assert {vendor.key_setting, vendor.base_url_setting} <= set(PROVIDER_SETTINGS)


@pytest.mark.parametrize(
    "model", [None, "anthropic:claude-x", "openai:gpt-x", "ollama:llama3.1:8b", "compatible:qwen3", "gpt-x"]
)
async def test_a_model_resolution_asks_for_no_key_outside_the_provider_settings(
    host: Host, clients: ProviderClients, model: str | None
) -> None:
    await host.config.set(GLOBAL_SCOPE, "compatible_base_url", "http://127.0.0.1:9/v1")
    await host.config.set(GLOBAL_SCOPE, "ai_max_retries", "0")
    settings = caller_settings(host.config, ORG, None)
    asked: list[str] = []

    async def recording(key: str) -> Any:
        asked.append(key)
        return await settings(key)

    with contextlib.suppress(ConfigurationError):  # no key for some: what matters is which settings it read
        await ModelResolver(recording, clients).resolve(model)

    assert asked and set(asked) <= set(PROVIDER_SETTINGS)


async def test_the_organizations_value_wins_over_globals_and_secrets_are_registered(host: Host) -> None:
    await host.config.set(GLOBAL_SCOPE, "openai_api_key", "sk-global-key", is_secret=True)
    await host.config.set(GLOBAL_SCOPE, "ai_default_model", "openai:gpt-global")
    await host.config.set(ORG, "ai_default_model", "openai:gpt-org")
    await host.config.set(ORG, "anthropic_api_key", "sk-ant-org-key", is_secret=True)
    state = RunState("run-1")
    settings = caller_settings(host.config, ORG, state)

    assert await settings("ai_default_model") == "openai:gpt-org"
    assert await settings("openai_api_key") == "sk-global-key"
    assert await settings("anthropic_api_key") == "sk-ant-org-key"
    assert await settings("ollama_api_key") is None
    assert state.secrets == {"sk-global-key", "sk-ant-org-key"}  # read secrets, for the run's redaction


async def test_an_organizations_base_url_goes_with_its_own_key_only(host: Host) -> None:
    await host.config.set(GLOBAL_SCOPE, "openai_api_key", "sk-global-key", is_secret=True)
    await host.config.set(ORG, "openai_base_url", "http://attacker.test/v1")

    assert await caller_settings(host.config, ORG, None)("openai_base_url") is None  # the platform's key stays home

    await host.config.set(ORG, "openai_api_key", "sk-org-key", is_secret=True)
    assert await caller_settings(host.config, ORG, None)("openai_base_url") == "http://attacker.test/v1"


async def test_the_values_are_those_of_the_first_read_and_other_keys_are_read_on_their_own(host: Host) -> None:
    await host.config.set(GLOBAL_SCOPE, "ai_default_model", "openai:gpt-before")
    await host.config.set(ORG, "some_other_setting", "x")
    settings = caller_settings(host.config, ORG, None)
    assert await settings("ai_default_model") == "openai:gpt-before"

    await host.config.set(GLOBAL_SCOPE, "ai_default_model", "openai:gpt-after")

    assert await settings("ai_default_model") == "openai:gpt-before"  # one resolution sees one moment
    assert await caller_settings(host.config, ORG, None)("ai_default_model") == "openai:gpt-after"
    assert await settings("some_other_setting") == "x"
