"""2026-07-28: a run that asks is held across input-required rounds, answerable only by its caller, once, in time."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp import Client
from mcp.client.session import ClientRequestContext
from mcp.shared.exceptions import MCPError

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.server.protocol import BifrostServer
from tests.support.approvals import member
from tests.support.client_workspace import client_app
from tests.support.mcp import ISOLATIONS, text_of
from tests.support.poll import poll

ANSWER = types.ElicitResult(action="accept", content={"name": "Ada"})


@pytest.fixture(params=ISOLATIONS)
async def app(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[App]:
    async with client_app(tmp_path, request.param) as opened:
        yield opened


class Switchable:
    """One server whose caller the test chooses per request (two people, one request-state key)."""

    def __init__(self, app: App, caller: Caller) -> None:
        self.caller = caller
        self.server = BifrostServer(app, self._resolve)

    async def _resolve(self, _ctx: object) -> Caller:
        return self.caller

    def client(self) -> Client:
        async def person(_ctx: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
            return ANSWER

        return Client(self.server.server, mode="auto", elicitation_callback=person)


async def first_round(client: Client, arguments: dict[str, Any] | None = None) -> types.InputRequiredResult:
    asked = await client.session.call_tool("asks_twice", arguments or {"topic": "x"}, allow_input_required=True)
    assert isinstance(asked, types.InputRequiredResult), asked
    return asked


async def test_a_run_asking_twice_takes_two_rounds_and_is_one_execution(app: App) -> None:
    shown: list[str] = []
    progress: list[tuple[float, str | None]] = []
    logs: list[Any] = []

    async def person(_ctx: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
        shown.append(params.message)
        return types.ElicitResult(action="accept", content={"name": f"answer {len(shown)}"})

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, message))

    async def on_log(params: types.LoggingMessageNotificationParams) -> None:
        logs.append(params.data)

    server = Switchable(app, await app.host.callers.owner())
    options: dict[str, Any] = {"logging_callback": on_log, "log_level": "info"}
    async with Client(server.server.server, mode="auto", elicitation_callback=person, **options) as client:
        result = await client.call_tool("asks_twice", {"topic": "VPN"}, progress_callback=on_progress)
    assert text_of(result) == "answer 1 then answer 2"
    assert shown == ["First, about VPN?", "And second?"]
    assert progress == [(1, "one answered")] and logs == ["first answer: {'name': 'answer 1'}"]
    [run] = await app.host.executions.query(workflow_name="asks_twice")
    assert run.status is ExecutionStatus.COMPLETED


async def test_an_answer_is_taken_once_and_only_from_the_caller_it_was_asked_of(app: App) -> None:
    ada, bob = await member(app, "ada@acme.test"), await member(app, "bob@acme.test")
    server = Switchable(app, ada)
    async with server.client() as client:
        asked = await first_round(client)
        assert isinstance(asked.input_requests["ask"], types.ElicitRequest)
        responses: types.InputResponses = {"ask": ANSWER}
        server.caller = bob
        with pytest.raises(MCPError, match="Invalid or expired requestState"):
            await client.session.call_tool(
                "asks_twice", {"topic": "x"}, input_responses=responses, request_state=asked.request_state,
                allow_input_required=True,
            )  # fmt: skip
        server.caller = ada
        second = await client.session.call_tool(
            "asks_twice", {"topic": "x"}, input_responses=responses, request_state=asked.request_state,
            allow_input_required=True,
        )  # fmt: skip
        assert isinstance(second, types.InputRequiredResult)  # the run's next question
        with pytest.raises(MCPError, match="already given"):
            await client.session.call_tool(
                "asks_twice", {"topic": "x"}, input_responses=responses, request_state=asked.request_state,
                allow_input_required=True,
            )  # fmt: skip
        done = await client.session.call_tool(
            "asks_twice", {"topic": "x"}, input_responses=responses, request_state=second.request_state,
            allow_input_required=True,
        )  # fmt: skip
    assert isinstance(done, types.CallToolResult) and text_of(done) == "Ada then Ada"


async def test_a_retry_without_the_answer_is_asked_again(app: App) -> None:
    server = Switchable(app, await app.host.callers.owner())
    async with server.client() as client:
        asked = await first_round(client)
        again = await client.session.call_tool(
            "asks_twice", {"topic": "x"}, request_state=asked.request_state, allow_input_required=True
        )
    assert isinstance(again, types.InputRequiredResult)
    assert again.input_requests == asked.input_requests and again.request_state != asked.request_state


async def test_a_question_nobody_answers_in_time_fails_the_run_saying_so(app: App) -> None:
    server = Switchable(app, await app.host.callers.owner())
    server.server.confirmations.held.ttl_seconds = 0.05
    async with server.client() as client:
        await first_round(client)

        async def failed() -> Any:
            runs = await app.host.executions.query(workflow_name="asks_twice")
            return runs[0] if runs and runs[0].status is ExecutionStatus.FAILED else None

        run = await poll(failed, timeout=30, what="the unanswered run to fail")
    assert "Nobody answered: the person did not answer within 0 s" in json.dumps(run.error_message)
