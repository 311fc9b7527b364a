"""A tools/call of a workflow that requires approval: the official client's person confirms it, in both eras.

In memory here ("legacy": an `elicitation/create` request mid-call; "auto": 2026-07-28, `InputRequiredResult`
and a retry); over HTTP (/mcp and /mcp/agents/<name>) in test_confirmations.py, over stdio in test_stdio.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import mcp_types as types
import pytest
from mcp import Client

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.executions.seen import SEEN
from tests.support.approvals import (
    APPROVE,
    CANCEL,
    CANNOT_ASK,
    DANA,
    DANA_QUESTION,
    DECLINE,
    DECLINED,
    NOT_ANSWERED,
    SCHEMA,
    UNTICKED,
    WORKSPACE,
    Person,
    member,
    runs_of,
)
from tests.support.mcp import MODES, execution_id_of, server_for, text_of, workspace_app

APPROVAL_SENTENCE = (
    "Requires the user's approval: the user is asked to confirm the exact arguments before it runs, and a client "
    "that cannot ask (no elicitation support) is refused."
)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with workspace_app(tmp_path, WORKSPACE) as opened:
        yield opened


@pytest.mark.parametrize("mode", MODES)
async def test_an_approved_call_runs_once_with_the_exact_arguments_as_the_caller(app: App, mode: str) -> None:
    ada, person = await member(app, "ada@acme.test"), Person([APPROVE])
    async with Client(server_for(app, ada).server, mode=mode, elicitation_callback=person) as client:
        result = await client.call_tool("disable_account", DANA)

    assert not result.is_error and text_of(result) == "Disabled dana@acme.test: left."
    assert [(p.message, p.requested_schema) for p in person.shown] == [(DANA_QUESTION, SCHEMA)]
    (run,) = await runs_of(app, "disable_account")
    assert (run.id, run.status, run.executed_by, run.input_data) == (
        execution_id_of(result),
        ExecutionStatus.COMPLETED,
        ada.user_id,
        DANA,
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("answer", "text", "recorded"),
    [
        (DECLINE, DECLINED, "declined by the person"),
        (UNTICKED, DECLINED, "declined by the person"),
        (CANCEL, NOT_ANSWERED, "not approved: the person left it unanswered"),
    ],
    ids=["decline", "unticked", "cancel"],
)
async def test_a_call_not_approved_never_runs_says_why_and_is_on_the_record(
    app: App, mode: str, answer: types.ElicitResult, text: str, recorded: str
) -> None:
    ada, person = await member(app, "ada@acme.test"), Person([answer])
    async with Client(server_for(app, ada).server, mode=mode, elicitation_callback=person) as client:
        result = await client.call_tool("disable_account", DANA)

    assert result.is_error and text_of(result) == text
    assert person.questions == [DANA_QUESTION]
    (run,) = await runs_of(app, "disable_account")
    assert (run.status, run.error_message, run.executed_by, run.input_data) == (
        ExecutionStatus.CANCELLED,
        recorded,
        ada.user_id,
        DANA,
    )
    assert run.result is None and run.duration_ms == 0 and run.trigger == "mcp"


async def test_a_declined_calls_record_holds_no_secret_a_run_has_read(app: App) -> None:
    secret = "sk-declined-call-7f3a9c"  # as if a run of this process had read it from config
    SEEN.add(secret)
    ada = await member(app, "ada@acme.test")
    async with Client(server_for(app, ada).server, mode="auto", elicitation_callback=Person([DECLINE])) as client:
        await client.call_tool("disable_account", {"account": f"dana@acme.test {secret}"})

    (run,) = await runs_of(app, "disable_account")
    assert run.input_data == {"account": "dana@acme.test [REDACTED]"}


@pytest.mark.parametrize("mode", MODES)
async def test_a_client_without_elicitation_is_refused_and_nothing_runs(app: App, mode: str) -> None:
    ada = await member(app, "ada@acme.test")
    async with Client(server_for(app, ada).server, mode=mode) as client:
        result = await client.call_tool("disable_account", DANA)
        other = await client.call_tool("lookup_account", {"account": "dana@acme.test"})

    assert result.is_error and text_of(result) == CANNOT_ASK
    assert await runs_of(app, "disable_account") == []
    assert not other.is_error  # only the workflow that requires approval is refused


@pytest.mark.parametrize("mode", MODES)
async def test_tools_that_require_approval_are_marked_in_the_listing(app: App, mode: str) -> None:
    ada = await member(app, "ada@acme.test")
    async with Client(server_for(app, ada).server, mode=mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}

    held, plain = tools["disable_account"], tools["lookup_account"]
    assert held.description == f"Disable a user account (locks the person out). {APPROVAL_SENTENCE}"
    assert (held.meta, held.annotations) == ({"bifrost/requiresApproval": True}, None)
    assert (plain.description, plain.meta) == ("Look an account up.", None)
