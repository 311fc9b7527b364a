"""The 2026-07-28 approval round trip is ours to protect: only state we sealed, for this caller, these arguments,
once. And the whole flow over streamable HTTP, on /mcp and /mcp/agents/<name>, in both eras.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.server.http import build_asgi
from tests.support.approvals import (
    APPROVE,
    CANNOT_ASK,
    DANA,
    DANA_QUESTION,
    DECLINE,
    DECLINED,
    SCHEMA,
    WORKSPACE,
    Person,
    member,
    runs_of,
)
from tests.support.mcp import MODES, mcp_http_client, server_for, text_of, workspace_app
from tests.support.server import LoopbackServer

REFUSED = "Invalid or expired requestState"
ANSWERS: types.InputResponses = {"approve": APPROVE}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with workspace_app(tmp_path, WORKSPACE) as opened:
        yield opened


@asynccontextmanager
async def modern(app: App, email: str = "ada@acme.test") -> AsyncIterator[Client]:
    """A 2026-07-28 client that declares elicitation; the tests drive its rounds by hand."""
    caller = await member(app, email)
    async with Client(server_for(app, caller).server, mode="auto", elicitation_callback=Person([APPROVE])) as client:
        yield client


async def asked(client: Client, arguments: dict[str, str] = DANA) -> types.InputRequiredResult:
    first = await client.session.call_tool("disable_account", arguments, allow_input_required=True)
    assert isinstance(first, types.InputRequiredResult), first
    return first


async def retried(client: Client, state: str | None, arguments: dict[str, str] = DANA) -> object:
    return await client.session.call_tool(
        "disable_account", arguments, input_responses=ANSWERS, request_state=state, allow_input_required=True
    )


async def test_the_question_travels_in_input_required_and_the_approved_retry_runs_once(app: App) -> None:
    async with modern(app) as client:
        first = await asked(client)
        assert await runs_of(app, "disable_account") == []
        assert first.request_state is not None
        result = await retried(client, first.request_state)
        with pytest.raises(MCPError) as replayed:  # one approval, one run
            await retried(client, first.request_state)

    assert first.input_requests == {
        "approve": types.ElicitRequest(
            params=types.ElicitRequestFormParams(message=DANA_QUESTION, requested_schema=SCHEMA)
        )
    }
    assert "dana" not in first.request_state and "approve" not in first.request_state  # sealed, not just signed
    assert isinstance(result, types.CallToolResult) and text_of(result) == "Disabled dana@acme.test: left."
    assert replayed.value.error.message == "This approval was already used: call the tool again to be asked"
    assert [r.input_data for r in await runs_of(app, "disable_account")] == [DANA]


FORGED = (
    '{"v":1,"caller":"x","tool":"disable_account","nonce":"n","calls":{"approve":{"call_id":"approve",'
    '"name":"disable_account","arguments":{"account":"dana@acme.test","reason":"left"}}}}'
)


@pytest.mark.parametrize("forge", ["tampered", "plaintext", "token-shaped", "another-server"])
async def test_a_tampered_or_forged_request_state_is_refused_and_nothing_runs(app: App, forge: str) -> None:
    async with modern(app) as client:
        state = (await asked(client)).request_state
        assert state is not None
        if forge == "tampered":
            middle = len(state) // 2
            state = state[:middle] + ("A" if state[middle] != "A" else "B") + state[middle + 1 :]
        elif forge == "plaintext":
            state = FORGED
        elif forge == "token-shaped":
            state = "v1." + base64.urlsafe_b64encode(FORGED.encode()).decode().rstrip("=")
        else:  # sealed, but by another server (another key)
            async with modern(app, "bob@acme.test") as other:
                state = (await asked(other)).request_state
        with pytest.raises(MCPError) as refused:
            await retried(client, state)

    assert (refused.value.error.code, refused.value.error.message) == (types.INVALID_PARAMS, REFUSED)
    assert await runs_of(app, "disable_account") == []


async def test_an_answer_without_our_state_approves_nothing(app: App) -> None:
    async with modern(app) as client:
        again = await retried(client, None)

    assert isinstance(again, types.InputRequiredResult)  # asked, as on any first round
    assert await runs_of(app, "disable_account") == []


async def test_an_approval_is_for_the_arguments_it_showed(app: App) -> None:
    async with modern(app) as client:
        state = (await asked(client)).request_state
        with pytest.raises(MCPError) as refused:
            await retried(client, state, {"account": "eve@acme.test", "reason": "left"})

    assert refused.value.error.message == REFUSED
    assert await runs_of(app, "disable_account") == []


@dataclass
class Served:
    base: str
    tokens: dict[str, str]  # by email, members of Acme
    user_ids: dict[str, str]


@asynccontextmanager
async def serving(app: App, *emails: str) -> AsyncIterator[Served]:
    callers = {email: await member(app, email) for email in emails}
    tokens = {e: (await app.host.credentials.create_token(c.user_id)).token for e, c in callers.items()}
    server = LoopbackServer()
    async with server.serve(build_asgi(app, port=server.port, watch=False)) as base:
        yield Served(base, tokens, {e: c.user_id for e, c in callers.items()})


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", ["/mcp", "/mcp/agents/helpdesk"])
async def test_over_http_the_person_approves_or_declines_and_a_client_that_cannot_ask_is_refused(
    app: App, mode: str, path: str
) -> None:
    approver, decliner = Person([APPROVE]), Person([DECLINE])
    async with serving(app, "ada@acme.test") as served:
        url, token = served.base + path, served.tokens["ada@acme.test"]
        async with mcp_http_client(url, token, mode=mode, elicitation_callback=approver) as client:
            approved = await client.call_tool("disable_account", DANA)
        async with mcp_http_client(url, token, mode=mode, elicitation_callback=decliner) as client:
            declined = await client.call_tool("disable_account", {"account": "eve@acme.test"})
        async with mcp_http_client(url, token, mode=mode) as client:
            refused = await client.call_tool("disable_account", {"account": "eve@acme.test"})

    assert not approved.is_error and text_of(approved) == "Disabled dana@acme.test: left."
    assert approver.questions == [DANA_QUESTION] and len(decliner.questions) == 1
    assert (declined.is_error, text_of(declined)) == (True, DECLINED)
    assert (refused.is_error, text_of(refused)) == (True, CANNOT_ASK)
    ada = served.user_ids["ada@acme.test"]
    runs = await runs_of(app, "disable_account")
    assert sorted((r.status, r.executed_by, r.input_data["account"], r.error_message) for r in runs) == [
        (ExecutionStatus.CANCELLED, ada, "eve@acme.test", "declined by the person"),
        (ExecutionStatus.COMPLETED, ada, DANA["account"], None),
    ]  # the declined call is on the record, not run; the refused one (no way to ask) is not


async def test_over_http_an_approval_asked_of_one_caller_is_refused_to_another(app: App) -> None:
    async with serving(app, "ada@acme.test", "bob@acme.test") as served:
        url = served.base + "/mcp"
        async with mcp_http_client(url, served.tokens["ada@acme.test"], elicitation_callback=Person([APPROVE])) as ada:
            state = (await asked(ada)).request_state
        async with mcp_http_client(url, served.tokens["bob@acme.test"], elicitation_callback=Person([APPROVE])) as bob:
            with pytest.raises(MCPError) as refused:
                await retried(bob, state)

    assert refused.value.error.message == REFUSED
    assert await runs_of(app, "disable_account") == []
