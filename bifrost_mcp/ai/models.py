"""Model ids resolved to a ChatModel with the caller's settings.

A model id is "provider:model": "anthropic:claude-sonnet-5-5", "openai:gpt-5.4-mini", "ollama:llama3.1:8b",
"compatible:<model>" (alias "openai-compatible:") for any other OpenAI-compatible server. The id splits at its
first colon, so Ollama tags keep theirs. A bare name ("gpt-5.4-mini") uses the default provider: the one of
config 'ai_default_model', else the first of Anthropic, OpenAI that has a key. No model at all means
'ai_default_model', else the default provider's default model.

Every value is looked up in `settings` (the caller's organization config, then GLOBAL) first, then in the
vendor SDK's environment variables. A host key from the environment is never sent to a base URL that came
from settings: a configured base URL needs its key configured beside it.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bifrost.errors import ConfigurationError
from bifrost.llm import ChatModel
from bifrost_mcp.ai.clients import ProviderClients, fingerprint
from bifrost_mcp.ai.errors import Vendor
from bifrost_mcp.ai.providers import ANTHROPIC, OPENAI, AnthropicChatModel, OpenAIChatModel
from bifrost_mcp.ai.settings import CallerSettings

Settings = Callable[[str], Awaitable[Any]]

_COMPATIBLE_API = "OpenAI-compatible Chat Completions API"
OLLAMA = Vendor("Ollama", _COMPATIBLE_API, "ollama_api_key", "ollama_base_url")
COMPATIBLE = Vendor("The OpenAI-compatible server", _COMPATIBLE_API, "compatible_api_key", "compatible_base_url")
VENDORS = {"anthropic": ANTHROPIC, "openai": OPENAI, "ollama": OLLAMA, "compatible": COMPATIBLE}
_ALIASES = {"openai-compatible": "compatible"}
DEFAULT_MODELS = {"anthropic": "claude-sonnet-5-5", "openai": "gpt-5.4-mini"}
DEFAULT_OLLAMA_BASE_URL = "http://127.0.0.1:11434/v1"
DEFAULT_MAX_RETRIES = 1
_VENDOR_BASE_URLS = {"anthropic": "https://api.anthropic.com", "openai": "https://api.openai.com/v1"}
_ENV = {"anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"), "openai": ("OPENAI_API_KEY", "OPENAI_BASE_URL")}

NO_PROVIDER = (
    "No AI provider configured: set config 'anthropic_api_key' or 'openai_api_key' for this organization "
    "(or the ANTHROPIC_API_KEY / OPENAI_API_KEY environment variables), or set config 'ai_default_model' to a "
    "model such as 'ollama:llama3.1'."
)


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """A ChatModel ready to call, with the provider and the provider's own name of the model."""

    provider: str
    name: str
    chat_model: ChatModel

    @property
    def id(self) -> str:
        return f"{self.provider}:{self.name}"


def parse_model_id(model_id: str) -> tuple[str | None, str]:
    """(provider, model name) of "provider:model"; (None, name) for a bare name."""
    if ":" not in model_id:
        return None, model_id.strip()
    prefix, name = model_id.split(":", 1)
    provider = _ALIASES.get(prefix.strip().lower(), prefix.strip().lower())
    if provider not in VENDORS:
        raise ConfigurationError(
            f"Unknown AI provider {prefix!r} in model {model_id!r}: write models as '<provider>:<model>' with "
            f"provider one of {', '.join(VENDORS)} (e.g. 'anthropic:claude-sonnet-5-5', 'ollama:llama3.1:8b')."
        )
    if not name.strip():
        raise ConfigurationError(f"Model {model_id!r} names no model: write it as '{provider}:<model>'.")
    return provider, name.strip()


class ModelResolver:
    """Resolves model ids for one caller; settings are read once per resolver."""

    def __init__(self, settings: Settings, clients: ProviderClients, *, max_retries: int | None = None) -> None:
        self._settings = settings
        self._clients = clients
        self._max_retries = max_retries
        self._seen: dict[str, str | None] = {}

    async def resolve(self, model: str | None) -> ResolvedModel:
        default_id = await self._setting("ai_default_model")
        wanted = model or default_id
        provider, name = parse_model_id(wanted) if wanted else (None, "")
        if provider is None:
            provider = await self._default_provider(default_id)
        if not name:
            if provider not in DEFAULT_MODELS:
                raise ConfigurationError(
                    f"No model given for provider '{provider}': pass model='{provider}:<model>' or set config "
                    "'ai_default_model'."
                )
            name = DEFAULT_MODELS[provider]
        return ResolvedModel(provider, name, await self._chat_model(provider))

    async def _default_provider(self, default_id: str | None) -> str:
        if default_id:
            provider, _ = parse_model_id(default_id)
            if provider is not None:
                return provider
        for provider in ("anthropic", "openai"):
            key, _, base_from_settings = await self._vendor_credentials(provider)
            if key is not None or base_from_settings:  # a configured base URL without its key errors on use
                return provider
        raise ConfigurationError(NO_PROVIDER)

    async def _chat_model(self, provider: str) -> ChatModel:
        retries = await self._retries()
        if provider in _ENV:
            key, base_url, base_from_settings = await self._vendor_credentials(provider)
            if key is None:
                raise _missing_key(VENDORS[provider], base_from_settings)
            if provider == "anthropic":
                return AnthropicChatModel(self._clients.anthropic(api_key=key, base_url=base_url, max_retries=retries))
            return OpenAIChatModel(self._clients.openai(api_key=key, base_url=base_url, max_retries=retries))
        vendor = VENDORS[provider]
        server_url = await self._setting(vendor.base_url_setting)
        if server_url is None and provider == "ollama":
            server_url = DEFAULT_OLLAMA_BASE_URL
        if server_url is None:
            raise ConfigurationError(
                f"No OpenAI-compatible server configured: set config '{vendor.base_url_setting}' to its base URL "
                "(e.g. http://127.0.0.1:8000/v1 for vLLM) and, if it needs one, 'compatible_api_key'."
            )
        server_key = await self._setting(vendor.key_setting)
        client = self._clients.openai(api_key=server_key, base_url=server_url, max_retries=retries)
        return OpenAIChatModel(client, vendor=vendor, compatible=True)

    async def _vendor_credentials(self, provider: str) -> tuple[str | None, str, bool]:
        """(key or None, base URL, whether the base URL came from settings) of Anthropic or OpenAI."""
        key = await self._setting(f"{provider}_api_key")
        base_url = await self._setting(f"{provider}_base_url")
        key_env, base_env = _ENV[provider]
        if base_url is not None:
            return key, base_url, True
        return key or os.environ.get(key_env) or None, os.environ.get(base_env) or _VENDOR_BASE_URLS[provider], False

    async def _retries(self) -> int:
        if self._max_retries is not None:
            return self._max_retries
        configured = await self._setting("ai_max_retries")
        if configured is None:
            return DEFAULT_MAX_RETRIES
        if not configured.isdigit():
            raise ConfigurationError(
                f"Config 'ai_max_retries' must be a whole number of 0 or more, not {configured!r}."
            )
        return int(configured)

    async def _setting(self, key: str) -> str | None:
        if key not in self._seen:
            value = await self._settings(key)
            self._seen[key] = str(value).strip() or None if value is not None else None
        return self._seen[key]


async def resolve_reusing(settings: CallerSettings, clients: ProviderClients, model: str | None) -> ResolvedModel:
    """`ModelResolver(settings, clients).resolve(model)`, reusing the model resolved from the same stored rows.

    A chat turn resolves its agent's model every time (its organization's config may have changed since the
    last turn, in this process or another sharing the data dir); with the same rows (secrets as stored, still
    encrypted) and the same vendor environment variables the answer is the same, without a key decrypted again.
    """
    environment = tuple(fingerprint(os.environ.get(name, "")) for names in _ENV.values() for name in names)
    key = (model, settings.scope, await settings.stored(), environment)
    resolved = clients.resolved(key)
    if isinstance(resolved, ResolvedModel):
        return resolved
    resolved = await ModelResolver(settings, clients).resolve(model)
    clients.keep_resolved(key, resolved)
    return resolved


def _missing_key(vendor: Vendor, base_from_settings: bool) -> ConfigurationError:
    if base_from_settings:
        return ConfigurationError(
            f"No {vendor.label} key for the endpoint in config '{vendor.base_url_setting}': set config "
            f"'{vendor.key_setting}' beside it (the {vendor.key_env} environment variable is only sent to the "
            "default endpoint)."
        )
    return ConfigurationError(
        f"No {vendor.label} key: set config '{vendor.key_setting}' for this organization (or the "
        f"{vendor.key_env} environment variable)."
    )
