"""examples/alert_triage.py over MCP against loopback Anthropic and OpenAI servers, per organization."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.config import ConfigStore
from bifrost_mcp.server.protocol import BifrostServer
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace import load_workspace
from tests.support.loopback import AnthropicServer, OpenAIServer, Reply

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TRIAGE = {"severity": "critical", "category": "backup", "summary": "Nightly backup failed twice", "page_on_call": True}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with App.opened(HostSettings(data_dir=tmp_path), registry=load_workspace(EXAMPLES)) as application:
        yield application


async def _org_user(app: App, org_name: str, settings: dict[str, Any]) -> Caller:
    org = await app.host.identity.create_org(org_name)
    admin = ConfigStore(app.host.db, app.host.secrets)
    for key, value in settings.items():
        await admin.set(org.id, key, value, is_secret=key.endswith("_api_key"))
    user = await app.host.identity.create_user(f"tech@{org_name.lower()}.test", "Tech", org_id=org.id)
    return await app.host.callers.for_user(user.id)


async def _call(app: App, caller: Caller, tool: str, arguments: dict[str, Any]) -> Any:
    async def resolve(_ctx: object) -> Caller:
        return caller

    async with Client(BifrostServer(app, resolve).server) as client:
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    return result


async def test_each_organization_triages_alerts_on_its_own_provider(app: App) -> None:
    with (
        AnthropicServer(Reply(json.dumps(TRIAGE), input_tokens=120, output_tokens=40)) as anthropic,
        OpenAIServer(Reply(json.dumps({**TRIAGE, "severity": "warning"}), input_tokens=90, output_tokens=30)) as openai,
    ):
        acme = await _org_user(
            app, "Acme",
            {"anthropic_api_key": "acme-anthropic-key-1", "anthropic_base_url": anthropic.base_url,
             "ai_default_model": "anthropic:claude-sonnet-5-5"},
        )  # fmt: skip
        globex = await _org_user(
            app, "Globex",
            {"openai_api_key": "globex-openai-key-2", "openai_base_url": openai.base_url,
             "ai_default_model": "openai:gpt-5.4-mini"},
        )  # fmt: skip
        acme_result = await _call(app, acme, "triage_alert", {"alert": "Backup job NIGHTLY failed (2/2)"})
        globex_result = await _call(app, globex, "triage_alert", {"alert": "Disk 91% on FS01", "source": "rmm"})
    assert acme_result.structured_content == TRIAGE
    assert globex_result.structured_content == {**TRIAGE, "severity": "warning"}
    (anthropic_request,) = anthropic.requests
    (openai_request,) = openai.requests
    assert anthropic_request.api_key == "acme-anthropic-key-1"
    assert openai_request.api_key == "globex-openai-key-2"
    assert "Backup job NIGHTLY failed" in json.dumps(anthropic_request.body)
    assert "first-line triage engineer" in json.dumps(anthropic_request.body["system"])
    assert openai_request.body["response_format"]["type"] == "json_schema"
    record = await app.host.executions.get(acme_result.meta["bifrost/executionId"])
    assert record is not None
    assert (record.input_tokens, record.output_tokens) == (120, 40)


async def test_a_streamed_draft_is_assembled_and_plain_prompts_reach_the_model(app: App) -> None:
    text = "Thanks for reporting this, we are on it."
    draft = Reply(text, chunks=["Thanks ", "for reporting this,", " we are on it."])
    with OpenAIServer(draft) as openai:
        settings = {"openai_api_key": "initech-key-3", "openai_base_url": openai.base_url}
        caller = await _org_user(app, "Initech", {**settings, "ai_default_model": "openai:gpt-5.4-mini"})
        result = await _call(app, caller, "draft_reply", {"ticket": "Printer on floor 2 is offline", "tone": "formal"})
    assert result.structured_content == {"result": "Thanks for reporting this, we are on it."}
    (request,) = openai.requests
    assert request.stream
    assert request.body["messages"][-1] == {"role": "user", "content": "Printer on floor 2 is offline"}
    assert "formal reply" in request.body["messages"][0]["content"]


async def test_an_organization_cannot_send_the_global_key_to_its_own_base_url(app: App) -> None:
    with AnthropicServer(Reply(json.dumps(TRIAGE))) as platform_server, AnthropicServer(Reply("{}")) as attacker:
        admin = ConfigStore(app.host.db, app.host.secrets)
        await admin.set("GLOBAL", "anthropic_api_key", "platform-anthropic-key-9", is_secret=True)
        await admin.set("GLOBAL", "anthropic_base_url", platform_server.base_url)
        await admin.set("GLOBAL", "ai_default_model", "anthropic:claude-sonnet-5-5")
        caller = await _org_user(app, "Umbrella", {"anthropic_base_url": attacker.base_url})
        result = await _call(app, caller, "triage_alert", {"alert": "Firewall rule changed"})
    assert result.structured_content == TRIAGE
    assert attacker.requests == []
    assert [r.api_key for r in platform_server.requests] == ["platform-anthropic-key-9"]
