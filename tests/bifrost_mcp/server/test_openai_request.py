"""Reading a Chat Completions request: the new message, the client's history, and 400s that say what to fix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest

from bifrost_mcp.app import App
from bifrost_mcp.conversations.records import AssistantMessage, UserMessage
from bifrost_mcp.server.openai_request import InvalidRequest, parse_completion
from tests.support.chat_http import chat_app, chat_serving

IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
TOOL_CALL = {"id": "c1", "type": "function", "function": {"name": "lookup_ticket", "arguments": "{}"}}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with chat_app(tmp_path) as opened:
        yield opened


def user(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def test_the_last_message_is_the_turn_and_the_user_and_assistant_messages_before_it_the_history() -> None:
    request = parse_completion(
        {
            "model": "helpdesk",
            "stream": True,
            "stream_options": {"include_usage": True},
            "messages": [
                {"role": "system", "content": "Be brief."},
                user("Is T-1 open?"),
                {"role": "assistant", "content": [{"type": "text", "text": "Yes."}], "name": "helpdesk"},
                {"role": "developer", "content": [IMAGE]},  # set aside unread, whatever it holds
                {"role": "assistant", "content": None},  # an answer that never came
                user([{"type": "text", "text": "And "}, {"type": "text", "text": "T-2?"}]),
            ],
        }
    )

    assert (request.model, request.text, request.stream, request.include_usage) == ("helpdesk", "And T-2?", True, True)
    assert request.history == (
        UserMessage(text="Is T-1 open?"),
        AssistantMessage(text="Yes."),
        AssistantMessage(text=""),
    )
    assert parse_completion({"model": "helpdesk", "messages": [user("hi")]}).history == ()


@pytest.mark.parametrize(
    ("messages", "param", "says"),
    [
        (
            [{"role": "tool", "tool_call_id": "c1", "content": "open"}, user("hi")],
            "messages[0].role",
            "runs its tools on the server",
        ),
        (
            [{"role": "function", "name": "f", "content": "x"}, user("hi")],
            "messages[0].role",
            "runs its tools on the server",
        ),
        ([{"role": "critic", "content": "x"}, user("hi")], "messages[0].role", "system, developer, user or assistant"),
        ([{"content": "no role"}, user("hi")], "messages[0].role", "system, developer, user or assistant"),
        (["hi"], "messages[0]", "an object"),
        ([user("  \n")], "messages[0].content", "empty user message"),
        ([user(None)], "messages[0].content", "empty user message"),
        ([user([])], "messages[0].content", "empty user message"),
        (
            [user("Is T-1 open?"), user([{"type": "text", "text": "this"}, IMAGE])],
            "messages[1].content[1]",
            "'image_url' part",
        ),
        ([user({"text": "hi"})], "messages[0].content", "a string or a list of text parts"),
        ([user([{"type": "text"}])], "messages[0].content[0]", "text only"),
        (
            [user("hi"), {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]}, user("ok")],
            "messages[1].tool_calls",
            "tool calls",
        ),
        ([user("hi"), {"role": "assistant", "content": "Hello!"}], "messages[1]", "must be the user's"),
        ([user("hi"), {"role": "system", "content": "Be brief."}], "messages[1]", "must be the user's"),
        ([], "messages", "non-empty list"),
    ],
)
def test_what_the_api_cannot_honour_in_full_is_refused_naming_the_field(
    messages: list[Any], param: str, says: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        parse_completion({"model": "helpdesk", "messages": messages})
    assert refused.value.param == param
    assert says in refused.value.message


@pytest.mark.parametrize("body", [None, [], {"messages": [user("hi")]}, {"model": "", "messages": [user("hi")]}])
def test_a_body_that_is_no_chat_completion_request_is_refused(body: Any) -> None:
    with pytest.raises(InvalidRequest, match=r"must|JSON object"):
        parse_completion(body)


async def test_a_refused_request_is_a_400_in_openais_shape_and_stores_nothing(app: App) -> None:
    async with chat_serving(app) as served:
        caller = await app.host.callers.for_token(served.ada)
        async with openai.AsyncOpenAI(base_url=f"{served.base}/v1", api_key=served.ada, max_retries=0) as ada:
            with pytest.raises(openai.BadRequestError) as refused:
                await ada.chat.completions.create(
                    model="helpdesk",
                    messages=[
                        {"role": "user", "content": "What is on this screenshot?"},
                        {"role": "assistant", "content": "Send it."},
                        {
                            "role": "user",
                            "content": [{"type": "image_url", "image_url": {"url": IMAGE["image_url"]["url"]}}],
                        },
                    ],
                )
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {served.ada}"}) as http:
            not_json = await http.post(f"{served.base}/v1/chat/completions", content=b'{"model": "helpdesk", "mess')

    assert refused.value.status_code == 400 and refused.value.param == "messages[2].content[0]"
    assert refused.value.type == "invalid_request_error" and "text only" in refused.value.message
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["error"]["message"]
    assert await app.host.conversations.list(user_id=caller.user_id) == []
