"""An `agent_<name>` tool whose agent asks for a workflow that requires approval: the client's person decides.

The model (a FunctionModel) asks to disable Dana's account, then answers with whatever the call's result said.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from bifrost.enums import ExecutionStatus
from bifrost.llm import ChatRequest, ChatResult, ToolCall
from bifrost.testing import FunctionModel, override_model
from bifrost_mcp.agents.approvals import NOT_RUN
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.records import Approval
from bifrost_mcp.server.http import build_asgi
from tests.support.approvals import APPROVE, DANA, DANA_QUESTION, DECLINE, WORKSPACE, Person, member, runs_of
from tests.support.mcp import MODES, mcp_http_client, server_for, text_of, workspace_app
from tests.support.server import LoopbackServer

ASK = {"message": "Dana left: disable her account."}
CANNOT_ASK_NOTE = (
    'Approval was needed for disable_account with {"account": "dana@acme.test", "reason": "left"}, and this MCP '
    "client cannot ask for it (it does not support elicitation), so it was not run. To run it, ask again in a chat "
    "front end (the web chat at /chat, or `bifrost-mcp chat`)."
)


def answer(request: ChatRequest) -> ChatResult:
    last = request.messages[-1]
    if last.role == "tool":
        return ChatResult(text=f"Result: {last.content}", stop_reason="end_turn")
    return ChatResult(text="", tool_calls=(ToolCall("call_disable", "disable_account", DANA),), stop_reason="tool_use")


MODEL = FunctionModel(answer)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with workspace_app(tmp_path, WORKSPACE) as opened:
        yield opened


async def decisions(app: App, conversation_id: str) -> list[tuple[str, str | None]]:
    stored = await app.host.conversations.get(conversation_id)
    assert stored is not None
    return [(m.decision, m.decided_by) for m in stored.messages if isinstance(m, Approval)]


def conversation_of(result: types.CallToolResult) -> str:
    assert result.structured_content is not None
    conversation_id = result.structured_content["conversation_id"]
    assert isinstance(conversation_id, str)
    return conversation_id


@pytest.mark.parametrize("mode", MODES)
async def test_an_approved_held_call_runs_once_as_the_caller_and_the_agent_goes_on(app: App, mode: str) -> None:
    ada, person = await member(app, "ada@acme.test"), Person([APPROVE])
    with override_model(MODEL):
        async with Client(server_for(app, ada).server, mode=mode, elicitation_callback=person) as client:
            result = await client.call_tool("agent_helpdesk", ASK)

    conversation_id = conversation_of(result)
    assert not result.is_error and text_of(result) == "Result: Disabled dana@acme.test: left."
    assert person.questions == [DANA_QUESTION]
    (run,) = await runs_of(app, "disable_account")
    assert (run.status, run.executed_by, run.session_id, run.input_data) == (
        ExecutionStatus.COMPLETED,
        ada.user_id,
        conversation_id,
        DANA,
    )
    assert await decisions(app, conversation_id) == [("approved", ada.user_id)]


@pytest.mark.parametrize("mode", MODES)
async def test_a_declined_held_call_never_runs_and_the_agent_says_so(app: App, mode: str) -> None:
    ada, person = await member(app, "ada@acme.test"), Person([DECLINE])
    with override_model(MODEL):
        async with Client(server_for(app, ada).server, mode=mode, elicitation_callback=person) as client:
            result = await client.call_tool("agent_helpdesk", ASK)

    assert not result.is_error and text_of(result) == f"Result: {NOT_RUN['denied']}"
    assert person.questions == [DANA_QUESTION]
    assert await runs_of(app, "disable_account") == []
    assert await decisions(app, conversation_of(result)) == [("denied", ada.user_id)]


@pytest.mark.parametrize("mode", MODES)
async def test_a_client_that_cannot_ask_leaves_the_call_unanswered_and_is_told(app: App, mode: str) -> None:
    ada = await member(app, "ada@acme.test")
    with override_model(MODEL):
        async with Client(server_for(app, ada).server, mode=mode) as client:
            result = await client.call_tool("agent_helpdesk", ASK)

    expected = f"Result: {NOT_RUN['unanswered']}\n\n{CANNOT_ASK_NOTE}"
    assert not result.is_error and text_of(result) == expected
    assert result.structured_content is not None and result.structured_content["answer"] == expected
    assert await runs_of(app, "disable_account") == []
    assert await decisions(app, conversation_of(result)) == [("unanswered", ada.user_id)]


async def asked(client: Client, arguments: dict[str, str]) -> types.InputRequiredResult:
    first = await client.session.call_tool("agent_helpdesk", arguments, allow_input_required=True)
    assert isinstance(first, types.InputRequiredResult), first
    return first


@asynccontextmanager
async def modern(app: App, caller: Caller) -> AsyncIterator[Client]:
    """A 2026-07-28 client that declares elicitation; the tests drive its rounds by hand."""
    with override_model(MODEL):
        async with Client(server_for(app, caller).server, mode="auto", elicitation_callback=Person([APPROVE])) as c:
            yield c


async def test_on_the_2026_flow_each_held_call_is_asked_once_and_an_approval_runs_it_once(app: App) -> None:
    ada = await member(app, "ada@acme.test")
    async with modern(app, ada) as client:
        first = await asked(client, ASK)
        assert await runs_of(app, "disable_account") == []
        answers: types.InputResponses = {"call_disable": APPROVE}
        done = await client.session.call_tool(
            "agent_helpdesk", ASK, input_responses=answers, request_state=first.request_state
        )
        with pytest.raises(MCPError) as replayed:
            await client.session.call_tool(
                "agent_helpdesk", ASK, input_responses=answers, request_state=first.request_state
            )

    assert first.input_requests is not None and list(first.input_requests) == ["call_disable"]
    request = first.input_requests["call_disable"]
    assert isinstance(request, types.ElicitRequest) and request.params.message == DANA_QUESTION
    assert first.meta is not None and first.meta["bifrost/conversationId"] == conversation_of(done)
    assert text_of(done) == "Result: Disabled dana@acme.test: left."
    assert replayed.value.error.message == "This approval was already used: call the tool again to be asked"
    assert len(await runs_of(app, "disable_account")) == 1


async def test_a_typed_approve_is_no_approval_over_mcp(app: App) -> None:
    """Between the rounds the call waits in the conversation; "approve" sent as a message (by the client's model,
    perhaps) leaves it unanswered, and the agent's new attempt is put to the person again."""
    ada = await member(app, "ada@acme.test")
    async with modern(app, ada) as client:
        first = await asked(client, ASK)
        assert first.meta is not None
        conversation_id = first.meta["bifrost/conversationId"]
        again = await asked(client, {"message": "approve", "conversation_id": conversation_id})

    assert again.meta is not None and again.meta["bifrost/conversationId"] == conversation_id
    assert await runs_of(app, "disable_account") == []
    assert await decisions(app, conversation_id) == [("unanswered", ada.user_id), ("pending", None)]


@pytest.mark.parametrize("mode", MODES)
async def test_over_http_the_agent_tool_asks_the_person(app: App, mode: str) -> None:
    ada = await member(app, "ada@acme.test")
    token = (await app.host.credentials.create_token(ada.user_id)).token
    person, server = Person([APPROVE]), LoopbackServer()
    with override_model(MODEL):
        async with (
            server.serve(build_asgi(app, port=server.port, watch=False)) as base,
            mcp_http_client(f"{base}/mcp", token, mode=mode, elicitation_callback=person) as client,
        ):
            result = await client.call_tool("agent_helpdesk", ASK)

    assert text_of(result) == "Result: Disabled dana@acme.test: left." and person.questions == [DANA_QUESTION]
    assert [(r.executed_by, r.input_data) for r in await runs_of(app, "disable_account")] == [(ada.user_id, DANA)]
