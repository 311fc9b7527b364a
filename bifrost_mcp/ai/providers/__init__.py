"""Vendor SDKs adapted to the `ChatModel` provider interface."""

from bifrost_mcp.ai.providers.anthropic import ANTHROPIC, AnthropicChatModel
from bifrost_mcp.ai.providers.openai import OPENAI, OpenAIChatModel

__all__ = ["ANTHROPIC", "OPENAI", "AnthropicChatModel", "OpenAIChatModel"]
