"""A loopback server speaking OpenAI Chat Completions: `POST /v1/chat/completions`, as JSON or SSE chunks.

    with OpenAIServer(Reply("Hello"), api_key="sk-test") as server:
        client = openai.AsyncOpenAI(api_key="sk-test", base_url=server.base_url)  # base_url ends in /v1

A stream sends the usage chunk only when the request asked for it (`stream_options.include_usage`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from starlette.responses import JSONResponse, Response, StreamingResponse

from tests.support.loopback.script import (
    Answer,
    ContextTooLong,
    Failure,
    Hang,
    Malformed,
    RecordedRequest,
    Reply,
    ScriptedServer,
    StreamError,
    sse,
)

CREATED = 1_767_225_600


def _defaults(status: int, recorded: RecordedRequest) -> tuple[str, str, str | None]:
    """(message, type, code) OpenAI sends for `status`."""
    if status == 401:
        # the real message echoes (part of) the key: the client must never pass it on
        key = recorded.api_key or ""
        return (
            f"Incorrect API key provided: {key}. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            "invalid_api_key",
        )
    if status == 429:
        return (
            "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1.",
            "requests",
            "rate_limit_exceeded",
        )
    if status >= 500:
        return "The server had an error while processing your request. Sorry about that!", "server_error", None
    return "Invalid request.", "invalid_request_error", None


class OpenAIServer(ScriptedServer):
    path = "/v1/chat/completions"
    api_prefix = "/v1"

    def render(self, answer: Answer, recorded: RecordedRequest) -> Response:
        if isinstance(answer, Failure):
            return _error(answer, recorded)
        if isinstance(answer, ContextTooLong):
            message = (
                "This model's maximum context length is 128000 tokens. However, your messages resulted in 130211 "
                "tokens. Please reduce the length of the messages."
            )
            error = {
                "message": message,
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            }
            return JSONResponse({"error": error}, status_code=400)
        if isinstance(answer, Hang):
            raise AssertionError("Hang is resolved before rendering")
        body = recorded.body if isinstance(recorded.body, dict) else {}
        model = body.get("model", "")
        if isinstance(answer, Malformed) and not recorded.stream:
            return Response('{"id": "chatcmpl-loopback", "choi', media_type="application/json")
        if isinstance(answer, Malformed):
            return _stream(_malformed_chunks(answer, model))
        if isinstance(answer, StreamError):
            error = {"message": "The server is overloaded.", "type": "server_error", "param": None, "code": None}
            return _stream(
                iter([_chunk(model, {"role": "assistant", "content": ""}), sse(json.dumps({"error": error}))])
            )
        if recorded.stream:
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return _stream(_chunks(answer, model, include_usage=include_usage))
        return JSONResponse(_completion(answer, model))


def _error(failure: Failure, recorded: RecordedRequest) -> Response:
    message, kind, code = _defaults(failure.status, recorded)
    headers = {"retry-after": failure.retry_after} if failure.retry_after is not None else {}
    error = {"message": failure.message or message, "type": kind, "param": None, "code": code}
    return JSONResponse({"error": error}, status_code=failure.status, headers=headers)


def _tool_calls(reply: Reply) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
        for c in reply.tool_calls
    ]


def _usage(reply: Reply) -> dict[str, int]:
    total = reply.input_tokens + reply.output_tokens
    return {"prompt_tokens": reply.input_tokens, "completion_tokens": reply.output_tokens, "total_tokens": total}


def _completion(reply: Reply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None, "refusal": None, "annotations": []}
    if reply.tool_calls:
        message["tool_calls"] = _tool_calls(reply)
    choice = {
        "index": 0,
        "message": message,
        "logprobs": None,
        "finish_reason": "tool_calls" if reply.tool_calls else "stop",
    }
    return {
        "id": "chatcmpl-loopback",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": [choice],
        "usage": _usage(reply),
        "system_fingerprint": None,
    }


def _chunk(model: str, delta: dict[str, Any] | None, finish_reason: str | None = None) -> str:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]
    chunk = {"id": "chatcmpl-loopback", "object": "chat.completion.chunk", "created": CREATED, "model": model}
    return sse(json.dumps({**chunk, "system_fingerprint": None, "choices": choices, "usage": None}))


def _chunks(reply: Reply, model: str, *, include_usage: bool) -> Iterator[str]:
    yield _chunk(model, {"role": "assistant", "content": "", "refusal": None})
    for delta in reply.deltas():
        yield _chunk(model, {"content": delta})
    for index, call in enumerate(reply.tool_calls):
        start = {"index": index, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}
        yield _chunk(model, {"tool_calls": [start]})
        arguments = json.dumps(call.arguments)
        for part in (arguments[: len(arguments) // 2], arguments[len(arguments) // 2 :]):
            yield _chunk(model, {"tool_calls": [{"index": index, "function": {"arguments": part}}]})
    yield _chunk(model, {}, "tool_calls" if reply.tool_calls else "stop")
    if include_usage:
        usage_chunk = {"id": "chatcmpl-loopback", "object": "chat.completion.chunk", "created": CREATED, "model": model}
        yield sse(json.dumps({**usage_chunk, "choices": [], "usage": _usage(reply)}))
    yield sse("[DONE]")


def _malformed_chunks(malformed: Malformed, model: str) -> Iterator[str]:
    yield _chunk(model, {"role": "assistant", "content": ""})
    yield _chunk(model, {"content": "Partial"})
    if malformed.how == "bad_json":
        yield sse('{"id": "chatcmpl-loopback", "object": "chat.completion.chunk", "choi')
    # either way the stream ends here, without a finish_reason or [DONE]


def _stream(chunks: Iterator[str]) -> StreamingResponse:
    return StreamingResponse(chunks, media_type="text/event-stream")
