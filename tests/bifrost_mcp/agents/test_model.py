"""The agent's model: resolved from the caller's organization config, or the test's override."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bifrost.errors import AIAuthenticationError, ConfigurationError
from bifrost.llm import ChatMessage
from bifrost.testing import TestModel, override_model
from bifrost_mcp.agents import AgentEvent, agent_model, run_turn
from bifrost_mcp.app import App
from bifrost_mcp.host import Host
from tests.support.ai import Vendor
from tests.support.loopback import Reply
from tests.support.mcp import opened_app


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path / "data", functions=[]) as opened:
        yield opened


async def ignore(_event: AgentEvent) -> None:
    return None


async def test_an_organizations_configured_provider_answers_its_members_agent(app: App, vendor: Vendor) -> None:
    org = await app.host.identity.create_org("Acme")
    for key, value in vendor.settings.items():
        await app.host.config.set(org.id, key, value, is_secret=key.endswith("_api_key"))
    user = await app.host.identity.create_user("tech@acme.test", "Tech", org_id=org.id)
    caller = await app.host.callers.for_user(user.id)
    vendor.server.push(Reply("Hello from the loopback."))

    model = await agent_model(app.host, caller, None)
    turn = await run_turn(
        model.chat_model, model_name=model.name, system=None, history=[ChatMessage("user", "Hi")], tools=[],
        max_steps=1, on_event=ignore,
    )  # fmt: skip

    assert model.id == f"{vendor.name}:{vendor.model}"
    assert turn.text == "Hello from the loopback."
    assert vendor.server.requests[0].api_key == vendor.key


async def test_a_caller_without_a_configured_provider_gets_a_configuration_error(app: App) -> None:
    with pytest.raises(ConfigurationError, match="No AI provider configured"):
        await agent_model(app.host, await app.host.callers.owner(), None)


async def test_override_model_answers_instead_of_any_provider(app: App) -> None:
    with override_model(TestModel("offline")):
        model = await agent_model(app.host, await app.host.callers.owner(), "anthropic:claude-sonnet-5-5")

    assert isinstance(model.chat_model, TestModel) and model.name == "anthropic:claude-sonnet-5-5"


async def test_the_model_is_reused_until_a_config_write_from_any_process_changes_it(app: App, vendor: Vendor) -> None:
    org = await app.host.identity.create_org("Acme")
    for key, value in vendor.settings.items():
        await app.host.config.set(org.id, key, value, is_secret=key.endswith("_api_key"))
    caller = await app.host.callers.for_user(
        (await app.host.identity.create_user("a@acme.test", "A", org_id=org.id)).id
    )
    first = await agent_model(app.host, caller, None)

    async with Host.opened(app.host.settings) as other:  # another process sharing the data dir
        assert await agent_model(app.host, caller, None) is first  # nothing changed: nothing resolved again
        await other.config.set(org.id, "ai_default_model", f"{vendor.name}:another-model")
        renamed = await agent_model(app.host, caller, None)
        await other.config.set(org.id, f"{vendor.name}_api_key", "sk-not-the-servers-key", is_secret=True)
        rekeyed = await agent_model(app.host, caller, None)

    assert renamed.name == "another-model" and renamed is not first
    with pytest.raises(AIAuthenticationError):  # the new key went out: the loopback server refuses it
        await run_turn(
            rekeyed.chat_model, model_name=rekeyed.name, system=None, history=[ChatMessage("user", "Hi")], tools=[],
            max_steps=1, on_event=ignore,
        )  # fmt: skip
    assert vendor.server.requests[-1].api_key == "sk-not-the-servers-key"
