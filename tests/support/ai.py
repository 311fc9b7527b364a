"""The AI vendors under test: their keys and models, a loopback server per vendor, and what a test records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bifrost import ai
from bifrost.testing import MockPlatform, bound
from bifrost.types import AIStreamChunk
from bifrost_mcp.ai import AIView, ProviderClients, Settings
from tests.support.loopback import AnthropicServer, OpenAIServer, RecordedRequest, ScriptedServer

ANTHROPIC_KEY = "sk-ant-loopback-7f3a9c1e"
OPENAI_KEY = "sk-proj-loopback-2b8d4e6f"
KEYS = {"anthropic": ANTHROPIC_KEY, "openai": OPENAI_KEY}
MODELS = {"anthropic": "claude-sonnet-5-5", "openai": "gpt-5.4-mini"}
VENDOR_ENVIRONMENT = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_PROFILE",
    "ANTHROPIC_CONFIG_DIR",
    "ANTHROPIC_CUSTOM_HEADERS",
    "OPENAI_API_KEY",
    "OPENAI_ADMIN_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "OPENAI_CUSTOM_HEADERS",
)


def settings_of(values: dict[str, Any]) -> Settings:
    """A settings lookup backed by `values` (the lead backs it by org config, then GLOBAL)."""

    async def get(key: str) -> Any:
        return values.get(key)

    return get


@dataclass
class Usage:
    calls: list[tuple[int, int, str]] = field(default_factory=list)

    def __call__(self, input_tokens: int, output_tokens: int, model: str) -> None:
        self.calls.append((input_tokens, output_tokens, model))


@dataclass
class Vendor:
    """One provider under test: its loopback server and the settings that point the service at it."""

    name: str
    server: ScriptedServer
    settings: dict[str, Any]

    @property
    def key(self) -> str:
        return KEYS[self.name]

    @property
    def model(self) -> str:
        return MODELS[self.name]

    def service(self, clients: ProviderClients, **options: Any) -> AIView:
        options.setdefault("max_retries", 0)
        return AIView(settings_of(self.settings), clients, **options)


def system_prompt(recorded: RecordedRequest) -> str:
    """The system prompt a request carried, in either wire protocol."""
    body = recorded.body
    if "system" in body:
        system = body["system"]
        return system if isinstance(system, str) else "".join(block["text"] for block in system)
    return "\n".join(m["content"] for m in body["messages"] if m["role"] in ("system", "developer"))


def start_server(name: str) -> ScriptedServer:
    server_class = AnthropicServer if name == "anthropic" else OpenAIServer
    return server_class(api_key=KEYS[name]).start()


async def sdk_complete(service: AIView, **options: Any) -> Any:
    """`ai.complete` through the SDK, answered by `service` (the real view) as the host's platform would."""
    with bound(MockPlatform({"ai": service})):
        return await ai.complete(**options)


async def sdk_stream(service: AIView, **options: Any) -> list[AIStreamChunk]:
    """`ai.stream` through the SDK, collected."""
    with bound(MockPlatform({"ai": service})):
        return [chunk async for chunk in ai.stream(**options)]
