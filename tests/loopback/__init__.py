"""Loopback servers speaking the real Anthropic and OpenAI wire protocols, for the real SDKs to call.

from tests.loopback import AnthropicServer, OpenAIServer, Reply, ToolUse, Failure

with OpenAIServer(Reply("Hi"), Reply(tool_calls=[ToolUse("lookup", {"id": 1})])) as server:
    ...  # point the SDK at server.base_url; then inspect server.requests
"""

from tests.loopback.anthropic_server import AnthropicServer
from tests.loopback.openai_server import OpenAIServer
from tests.loopback.runner import ServerThread
from tests.loopback.script import (
    Answer,
    ContextTooLong,
    Failure,
    Handler,
    Hang,
    Malformed,
    RecordedRequest,
    Reply,
    ScriptedServer,
    StreamError,
    ToolUse,
)

__all__ = [
    "Answer",
    "AnthropicServer",
    "ContextTooLong",
    "Failure",
    "Handler",
    "Hang",
    "Malformed",
    "OpenAIServer",
    "RecordedRequest",
    "Reply",
    "ScriptedServer",
    "ServerThread",
    "StreamError",
    "ToolUse",
]
