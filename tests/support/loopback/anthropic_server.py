"""A loopback server speaking the Anthropic Messages API: `POST /v1/messages`, as JSON or SSE.

with AnthropicServer(Reply("Hello"), api_key="sk-ant-test") as server:
    client = anthropic.AsyncAnthropic(api_key="sk-ant-test", base_url=server.base_url)
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

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
_MESSAGES = {
    401: "invalid x-api-key",
    429: "Number of request tokens has exceeded your per-minute rate limit",
    500: "Internal server error",
    529: "Overloaded",
}


class AnthropicServer(ScriptedServer):
    path = "/v1/messages"

    def render(self, answer: Answer, recorded: RecordedRequest) -> Response:
        if isinstance(answer, Failure):
            return _error(answer)
        if isinstance(answer, ContextTooLong):
            return _error(Failure(400, "prompt is too long: 210417 tokens > 200000 maximum"))
        if isinstance(answer, Malformed) and not recorded.stream:
            return Response('{"id": "msg_loopback", "type": "mess', media_type="application/json")
        if isinstance(answer, Hang):
            raise AssertionError("Hang is resolved before rendering")
        model = recorded.body.get("model", "") if isinstance(recorded.body, dict) else ""
        if isinstance(answer, Malformed):
            return _event_stream(_malformed_events(answer, model))
        if isinstance(answer, StreamError):
            return _event_stream(_error_events(model))
        if recorded.stream:
            return _event_stream(_events(answer, model))
        return JSONResponse(_message(answer, model, content=_content(answer)), headers={"request-id": "req_loopback"})


def _error(failure: Failure) -> Response:
    kind = _ERROR_TYPES.get(failure.status, "api_error")
    message = failure.message or _MESSAGES.get(failure.status, kind)
    headers = {"request-id": "req_loopback"}
    if failure.retry_after is not None:
        headers["retry-after"] = failure.retry_after
    body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_loopback"}
    return JSONResponse(body, status_code=failure.status, headers=headers)


def _content(reply: Reply) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "text", "text": reply.text}] if reply.text or not reply.tool_calls else []
    blocks += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in reply.tool_calls]
    return blocks


def _message(reply: Reply, model: str, *, content: list[dict[str, Any]], streaming: bool = False) -> dict[str, Any]:
    return {
        "id": "msg_loopback",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": None if streaming else ("tool_use" if reply.tool_calls else "end_turn"),
        "stop_sequence": None,
        "usage": {"input_tokens": reply.input_tokens, "output_tokens": 1 if streaming else reply.output_tokens},
    }


def _events(reply: Reply, model: str) -> Iterator[str]:
    yield _event({"type": "message_start", "message": _message(reply, model, content=[], streaming=True)})
    index = 0
    if reply.text or not reply.tool_calls:
        yield _event({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
        yield _event({"type": "ping"})
        for delta in reply.deltas():
            yield _event({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": delta}})
        yield _event({"type": "content_block_stop", "index": 0})
        index = 1
    for offset, call in enumerate(reply.tool_calls, start=index):
        start = {"type": "tool_use", "id": call.id, "name": call.name, "input": {}}
        yield _event({"type": "content_block_start", "index": offset, "content_block": start})
        arguments = json.dumps(call.arguments)
        for part in (arguments[: len(arguments) // 2], arguments[len(arguments) // 2 :]):
            delta = {"type": "input_json_delta", "partial_json": part}
            yield _event({"type": "content_block_delta", "index": offset, "delta": delta})
        yield _event({"type": "content_block_stop", "index": offset})
    stop_reason = "tool_use" if reply.tool_calls else "end_turn"
    yield _event(
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": reply.output_tokens},
        }
    )
    yield _event({"type": "message_stop"})


def _malformed_events(malformed: Malformed, model: str) -> Iterator[str]:
    yield _event({"type": "message_start", "message": _message(Reply(), model, content=[], streaming=True)})
    yield _event({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    yield _event({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Partial"}})
    if malformed.how == "bad_json":
        yield sse('{"type": "content_block_delta", "index": 0, "delta": {"type": "text_de', event="content_block_delta")
    # either way the stream ends here, without message_delta / message_stop


def _error_events(model: str) -> Iterator[str]:
    yield _event({"type": "message_start", "message": _message(Reply(), model, content=[], streaming=True)})
    yield _event({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})


def _event(data: dict[str, Any]) -> str:
    return sse(json.dumps(data), event=data["type"])


def _event_stream(events: Iterator[str]) -> StreamingResponse:
    return StreamingResponse(events, media_type="text/event-stream", headers={"request-id": "req_loopback"})
