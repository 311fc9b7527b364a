"""Against the real vendor APIs, only when their keys are set: `pytest -m live`. Off in CI (no keys)."""

from __future__ import annotations

import os

import pytest

from bifrost.types import AIResponse
from bifrost_mcp.ai import AIView, ProviderClients
from tests.support.ai import sdk_complete, sdk_stream, settings_of

# read at import: the autouse fixture clears the vendor environment before each test
LIVE_KEYS = {"anthropic": os.environ.get("ANTHROPIC_API_KEY"), "openai": os.environ.get("OPENAI_API_KEY")}
PING = [{"role": "user", "content": "Reply with exactly one word: pong"}]
OPTIONS = {"system": None, "knowledge": None, "model": None, "max_tokens": 16, "temperature": None, "timeout": 60.0}

pytestmark = pytest.mark.live


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
async def test_a_real_provider_completes_and_streams(provider: str, clients: ProviderClients) -> None:
    key = LIVE_KEYS[provider]
    if not key:
        pytest.skip(f"set {provider.upper()}_API_KEY to run against the real {provider} API")
    service = AIView(settings_of({f"{provider}_api_key": key}), clients, max_retries=1)

    response = await sdk_complete(service, messages=PING, **OPTIONS)
    chunks = await sdk_stream(service, messages=PING, **OPTIONS)

    assert isinstance(response, AIResponse) and "pong" in response.content.lower()
    assert response.input_tokens > 0 and response.output_tokens > 0
    assert "pong" in "".join(c.content for c in chunks).lower()
    assert chunks[-1].done and (chunks[-1].output_tokens or 0) > 0
