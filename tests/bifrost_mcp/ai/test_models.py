from __future__ import annotations

from typing import Any

import pytest

from bifrost.errors import ConfigurationError
from bifrost.types import AIResponse
from bifrost_mcp.ai import AIView, ModelResolver, ProviderClients, parse_model_id
from tests.support.ai import ANTHROPIC_KEY, OPENAI_KEY, sdk_complete, settings_of
from tests.support.loopback import OpenAIServer, Reply, ScriptedServer

OPTIONS = {"system": None, "knowledge": None, "max_tokens": None, "temperature": None, "timeout": None}


async def ask(service: AIView, model: str | None = None) -> AIResponse:
    messages = [{"role": "user", "content": "hi"}]
    response = await sdk_complete(service, messages=messages, model=model, **OPTIONS)
    assert isinstance(response, AIResponse)
    return response


def service_for(settings: dict[str, Any], clients: ProviderClients) -> AIView:
    return AIView(settings_of(settings), clients, max_retries=0)


@pytest.mark.parametrize(
    ("model_id", "parsed"),
    [
        ("anthropic:claude-sonnet-5-5", ("anthropic", "claude-sonnet-5-5")),
        ("OpenAI:gpt-5.4-mini", ("openai", "gpt-5.4-mini")),
        ("ollama:llama3.1:8b", ("ollama", "llama3.1:8b")),
        ("openai-compatible:qwen3", ("compatible", "qwen3")),
        ("gpt-5.4-mini", (None, "gpt-5.4-mini")),
    ],
)
def test_model_ids_split_into_provider_and_model_at_the_first_colon(
    model_id: str, parsed: tuple[str | None, str]
) -> None:
    assert parse_model_id(model_id) == parsed


def test_an_unknown_provider_is_rejected_listing_the_known_ones() -> None:
    with pytest.raises(
        ConfigurationError, match=r"Unknown AI provider 'mistral'.*anthropic, openai, ollama, compatible"
    ):
        parse_model_id("mistral:large")


def test_a_model_id_without_a_model_name_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="names no model"):
        parse_model_id("anthropic:")


async def test_no_provider_configured_names_the_keys_to_set(clients: ProviderClients) -> None:
    with pytest.raises(ConfigurationError) as raised:
        await ask(service_for({}, clients))

    for hint in (
        "'anthropic_api_key'",
        "'openai_api_key'",
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "'ai_default_model'",
    ):
        assert hint in str(raised.value)


async def test_each_organization_reaches_its_own_provider_with_its_own_key(
    anthropic_server: ScriptedServer, openai_server: ScriptedServer, clients: ProviderClients
) -> None:
    org_a = {"anthropic_api_key": ANTHROPIC_KEY, "anthropic_base_url": anthropic_server.base_url}
    org_b = {"openai_api_key": OPENAI_KEY, "openai_base_url": openai_server.base_url}
    anthropic_server.push(Reply("from Anthropic"))
    openai_server.push(Reply("from OpenAI"))

    answer_a = await ask(service_for(org_a, clients))
    answer_b = await ask(service_for(org_b, clients))

    assert (answer_a.content, answer_a.model) == ("from Anthropic", "claude-sonnet-5-5")
    assert (answer_b.content, answer_b.model) == ("from OpenAI", "gpt-5.4-mini")
    assert [r.api_key for r in anthropic_server.requests] == [ANTHROPIC_KEY]
    assert [r.api_key for r in openai_server.requests] == [OPENAI_KEY]


async def test_the_vendor_environment_variables_are_the_fallback(
    anthropic_server: ScriptedServer, clients: ProviderClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_server.base_url)
    anthropic_server.push(Reply("from the environment"))

    answer = await ask(service_for({}, clients))

    assert answer.content == "from the environment"
    assert anthropic_server.requests[0].api_key == ANTHROPIC_KEY


async def test_organization_settings_win_over_the_environment(
    openai_server: ScriptedServer, clients: ProviderClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-host-environment-key")
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    openai_server.push(Reply("ok"))

    await ask(service_for({"openai_api_key": OPENAI_KEY}, clients))

    assert openai_server.requests[0].api_key == OPENAI_KEY


async def test_the_host_key_is_never_sent_to_a_base_url_from_settings(
    clients: ProviderClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-host-environment-key")
    with OpenAIServer() as elsewhere:
        with pytest.raises(ConfigurationError, match="set config 'openai_api_key' beside it"):
            await ask(service_for({"openai_base_url": elsewhere.base_url}, clients))

        assert elsewhere.requests == []


async def test_a_bare_model_name_uses_the_provider_of_the_default_model(
    openai_server: ScriptedServer, clients: ProviderClients
) -> None:
    settings = {
        "openai_api_key": OPENAI_KEY,
        "openai_base_url": openai_server.base_url,
        "ai_default_model": "openai:gpt-5.4-mini",
    }
    openai_server.push(Reply("ok"))

    await ask(service_for(settings, clients), "gpt-5.5")

    assert openai_server.requests[0].body["model"] == "gpt-5.5"


async def test_without_a_default_model_the_provider_with_a_key_is_used(
    openai_server: ScriptedServer, clients: ProviderClients
) -> None:
    openai_server.push(Reply("ok"))

    await ask(service_for({"openai_api_key": OPENAI_KEY, "openai_base_url": openai_server.base_url}, clients))

    assert openai_server.requests[0].body["model"] == "gpt-5.4-mini"


async def test_a_provider_without_its_key_names_the_key_to_set(
    openai_server: ScriptedServer, clients: ProviderClients
) -> None:
    settings = {"openai_api_key": OPENAI_KEY, "openai_base_url": openai_server.base_url}

    with pytest.raises(
        ConfigurationError, match=r"No Anthropic key: set config 'anthropic_api_key'.*ANTHROPIC_API_KEY"
    ):
        await ask(service_for(settings, clients), "anthropic:claude-sonnet-5-5")


async def test_ollama_models_go_to_the_ollama_base_url_without_the_host_key(
    clients: ProviderClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-host-environment-key")
    with OpenAIServer(Reply("local answer")) as ollama:
        answer = await ask(service_for({"ollama_base_url": ollama.base_url}, clients), "ollama:llama3.1:8b")

    assert answer.content == "local answer"
    assert ollama.requests[0].body["model"] == "llama3.1:8b"
    assert "sk-host-environment-key" not in str(ollama.requests[0].headers)


async def test_ollama_defaults_to_the_local_port(clients: ProviderClients) -> None:
    resolved = await ModelResolver(settings_of({}), clients).resolve("ollama:llama3.1")

    assert "127.0.0.1:11434" in repr(resolved.chat_model)


async def test_a_compatible_server_needs_its_base_url(clients: ProviderClients) -> None:
    with pytest.raises(ConfigurationError, match="set config 'compatible_base_url'"):
        await ask(service_for({}, clients), "compatible:qwen3")


async def test_a_compatible_server_gets_its_own_key(clients: ProviderClients) -> None:
    with OpenAIServer(Reply("ok"), api_key="vllm-secret") as vllm:
        settings = {"compatible_base_url": vllm.base_url, "compatible_api_key": "vllm-secret"}
        await ask(service_for(settings, clients), "openai-compatible:qwen3")

    assert vllm.requests[0].api_key == "vllm-secret"


async def test_an_invalid_retry_setting_is_rejected(clients: ProviderClients) -> None:
    settings = {"openai_api_key": OPENAI_KEY, "ai_max_retries": "many"}

    with pytest.raises(ConfigurationError, match="'ai_max_retries' must be a whole number"):
        await ModelResolver(settings_of(settings), clients).resolve(None)


async def test_vendor_clients_are_reused_per_key_and_base_url(
    openai_server: ScriptedServer, clients: ProviderClients
) -> None:
    settings = {"openai_api_key": OPENAI_KEY, "openai_base_url": openai_server.base_url}
    openai_server.push(Reply("from model a"), Reply("from model b"))

    await ask(service_for(settings, clients), "openai:a")
    await ask(service_for(settings, clients), "openai:b")
    await ModelResolver(settings_of({**settings, "openai_api_key": "sk-other"}), clients).resolve("openai:a")

    assert len(clients) == 2
    # one client is one connection pool: model b's request went over the connection model a's opened
    first, second = openai_server.requests
    assert first.client_port == second.client_port


async def test_no_key_shows_in_the_repr_of_resolved_models_or_the_client_cache(clients: ProviderClients) -> None:
    settings = {"anthropic_api_key": ANTHROPIC_KEY, "anthropic_base_url": "http://127.0.0.1:9"}

    resolved = await ModelResolver(settings_of(settings), clients).resolve(None)

    assert resolved.id == "anthropic:claude-sonnet-5-5"
    assert ANTHROPIC_KEY not in repr(resolved) + repr(clients)
