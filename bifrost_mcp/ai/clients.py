"""Vendor SDK clients, built once per (provider, key, base URL, retries) and reused across runs."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the vendor SDKs take seconds to import: loaded on the first AI call, not at start-up
    import anthropic
    import openai

logger = logging.getLogger(__name__)

# OpenAI-compatible servers that need no key (Ollama, local vLLM) still need a non-empty one for the SDK.
KEYLESS = "no-key"
MAX_RESOLVED = 256  # resolved models kept; past it the cache starts over (one per organization and model)


def fingerprint(api_key: str) -> str:
    # the cache is keyed by a digest, so the key itself sits only inside the vendor client
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


class ProviderClients:
    """A cache of vendor clients, each holding one HTTP connection pool.

    Create one per event loop (the server's lifetime) and `await aclose()` it at shutdown.
    """

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str, str, int], Any] = {}
        self._resolved: dict[Hashable, Any] = {}

    def resolved(self, key: Hashable) -> Any:
        """The model resolved earlier from what `key` says (see `ai.models.resolve_reusing`), or None."""
        return self._resolved.get(key)

    def keep_resolved(self, key: Hashable, model: Any) -> None:
        if len(self._resolved) >= MAX_RESOLVED:
            self._resolved.clear()
        self._resolved[key] = model

    def anthropic(self, *, api_key: str, base_url: str, max_retries: int) -> anthropic.AsyncAnthropic:
        import anthropic

        cache_key = ("anthropic", fingerprint(api_key), base_url, max_retries)
        client = self._clients.get(cache_key)
        if not isinstance(client, anthropic.AsyncAnthropic):
            logger.debug("building an Anthropic client for %s", base_url)
            client = anthropic.AsyncAnthropic(api_key=api_key, base_url=base_url, max_retries=max_retries)
            self._clients[cache_key] = client
        return client

    def openai(self, *, api_key: str | None, base_url: str, max_retries: int) -> openai.AsyncOpenAI:
        import openai

        key = api_key or KEYLESS
        cache_key = ("openai", fingerprint(key), base_url, max_retries)
        client = self._clients.get(cache_key)
        if not isinstance(client, openai.AsyncOpenAI):
            logger.debug("building an OpenAI client for %s", base_url)
            client = openai.AsyncOpenAI(api_key=key, base_url=base_url, max_retries=max_retries)
            self._clients[cache_key] = client
        return client

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        self._resolved.clear()
        for client in clients:
            await client.close()

    def __len__(self) -> int:
        return len(self._clients)

    def __repr__(self) -> str:
        return f"<ProviderClients: {len(self._clients)} open>"
