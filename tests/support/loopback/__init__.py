"""Loopback servers speaking vendors' real wire protocols, for the real SDKs and clients to call.

The model servers (Anthropic Messages, OpenAI Chat Completions) answer from a script:

    from tests.support.loopback import AnthropicServer, OpenAIServer, Reply, ToolUse, Failure

    with OpenAIServer(Reply("Hi"), Reply(tool_calls=[ToolUse("lookup", {"id": 1})])) as server:
        ...  # point the SDK at server.base_url; then inspect server.requests

`embeddings_server` speaks OpenAI's embeddings API and `token_endpoint` an OAuth 2.0 token endpoint.
"""

from tests.support.loopback.anthropic_server import AnthropicServer
from tests.support.loopback.openai_server import OpenAIServer
from tests.support.loopback.script import (
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
    "StreamError",
    "ToolUse",
]
