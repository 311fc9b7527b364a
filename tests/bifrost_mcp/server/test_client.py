"""A run talks to the client that called it: progress, log lines, questions and sampling, through the official
client in memory, in both protocol eras and both isolation modes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp import Client
from mcp.client.session import ClientRequestContext
from mcp.shared.exceptions import MCPDeprecationWarning

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.server.client import MAX_PENDING_LINES
from bifrost_mcp.server.http import build_asgi
from tests.support.client_workspace import SECRET, client_app
from tests.support.mcp import ISOLATIONS, MODES, mcp_http_client, server_for, text_of
from tests.support.server import LoopbackServer


@pytest.fixture(autouse=True)
def no_vendor_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """No AI provider from the environment: ai.complete falls back to the client's model."""
    for variable in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_AUTH_TOKEN"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(params=ISOLATIONS)
async def app(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[App]:
    async with client_app(tmp_path, request.param) as opened:
        yield opened


async def owner_client(app: App, mode: str, **options: Any) -> Client:
    return Client(server_for(app, await app.host.callers.owner()).server, mode=mode, **options)


class Logs:
    def __init__(self) -> None:
        self.received: list[types.LoggingMessageNotificationParams] = []

    async def __call__(self, params: types.LoggingMessageNotificationParams) -> None:
        self.received.append(params)

    @property
    def lines(self) -> list[tuple[str, Any]]:
        return [(p.level, p.data) for p in self.received]


class Answers:
    """A person answering each elicitation with `result`, recording what was asked."""

    def __init__(self, result: types.ElicitResult) -> None:
        self.result = result
        self.asked: list[types.ElicitRequestFormParams] = []

    async def __call__(self, _ctx: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
        assert isinstance(params, types.ElicitRequestFormParams), params
        self.asked.append(params)
        return self.result


async def runs(app: App, name: str) -> list[Any]:
    return list(await app.host.executions.query(workflow_name=name))


# progress
@pytest.mark.parametrize("mode", MODES)
async def test_a_workflow_reports_its_own_progress_in_order(app: App, mode: str) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with await owner_client(app, mode) as client:
        result = await client.call_tool("test_tool_with_progress", {}, progress_callback=on_progress)
    assert not result.is_error, text_of(result)
    assert seen == [(0, 100, "0 of 100"), (50, 100, "50 of 100"), (100, 100, "100 of 100")]


async def test_without_a_progress_token_reporting_is_a_no_op(app: App) -> None:
    async with await owner_client(app, "legacy") as client:
        result = await client.call_tool("test_tool_with_progress", {})
    assert (result.is_error, text_of(result)) == (False, "progress reported")


# logging
async def test_log_lines_reach_a_session_at_the_level_it_set_and_none_before(app: App) -> None:
    logs = Logs()
    async with await owner_client(app, "legacy", logging_callback=logs) as client:
        assert client.server_capabilities.logging is not None
        await client.call_tool("test_tool_with_logging", {})
        assert logs.lines == []  # no level set yet: nothing sent
        with pytest.warns(MCPDeprecationWarning):
            await client.set_logging_level("info")
        result = await client.call_tool("test_tool_with_logging", {})
        assert logs.lines == [
            ("info", "Tool execution started"),
            ("info", "Tool processing data"),
            ("info", "Tool execution completed"),
        ]
        assert {p.logger for p in logs.received} == {"test_tool_with_logging"}
        with pytest.warns(MCPDeprecationWarning):
            await client.set_logging_level("debug")
        logs.received.clear()
        await client.call_tool("test_tool_with_logging", {})
        assert ("debug", "a detail below info") in logs.lines and len(logs.lines) == 4
        logs.received.clear()
        await client.call_tool("sync_logging", {})
        assert logs.lines == [("warning", "from a thread")]
    assert not result.is_error
    # the record keeps every line whatever the client asked for
    run = (await runs(app, "test_tool_with_logging"))[0]
    assert [line.message for line in await app.host.executions.logs(run.id)][:2] == [
        "Tool execution started",
        "a detail below info",
    ]


async def test_a_flood_of_log_lines_is_bounded_the_client_told_how_many_were_left_out(tmp_path: Path) -> None:
    logs = Logs()
    async with client_app(tmp_path, "inline") as app:  # inline, every line is queued before the first is sent
        async with await owner_client(app, "legacy", logging_callback=logs) as client:
            with pytest.warns(MCPDeprecationWarning):
                await client.set_logging_level("info")
            result = await client.call_tool("floods_the_log", {"lines": MAX_PENDING_LINES + 500})
            flood = list(logs.lines)
            logs.received.clear()
            await client.call_tool("test_tool_with_logging", {})  # the next call's lines flow again
        run = (await runs(app, "floods_the_log"))[0]
        kept = await app.host.executions.logs(run.id, count=10_000)

    assert not result.is_error
    assert len(kept) == MAX_PENDING_LINES + 500  # the record keeps every line
    assert len(flood) == MAX_PENDING_LINES + 1
    assert flood[:2] == [("info", "line 0"), ("info", "line 1")]
    assert flood[MAX_PENDING_LINES - 1] == ("info", f"line {MAX_PENDING_LINES - 1}")
    level, note = flood[-1]
    assert level == "warning"
    assert note.startswith("500 log lines were not sent here: the run logged faster than this client read")
    assert logs.lines[0] == ("info", "Tool execution started")


async def test_on_2026_07_28_a_request_opts_in_to_log_lines_by_its_meta(app: App) -> None:
    logs = Logs()
    async with await owner_client(app, "auto", logging_callback=logs, log_level="info") as client:
        await client.call_tool("test_tool_with_logging", {})
    assert logs.lines == [
        ("info", "Tool execution started"),
        ("info", "Tool processing data"),
        ("info", "Tool execution completed"),
    ]
    logs = Logs()
    async with await owner_client(app, "auto", logging_callback=logs) as client:  # no opt-in: nothing
        await client.call_tool("test_tool_with_logging", {})
    assert logs.lines == []


@pytest.mark.parametrize("mode", MODES)
async def test_a_secret_is_redacted_from_log_lines_and_progress_messages(app: App, mode: str) -> None:
    logs, messages = Logs(), []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        messages.append(message)

    async with await owner_client(app, mode, logging_callback=logs, log_level="debug") as client:
        if mode == "legacy":
            with pytest.warns(MCPDeprecationWarning):
                await client.set_logging_level("debug")
        result = await client.call_tool("leaks_a_secret", {}, progress_callback=on_progress)
    assert not result.is_error, text_of(result)
    sent = json.dumps([logs.lines, messages])
    assert SECRET not in sent and "calling with token" in sent and messages


# elicitation
@pytest.mark.parametrize("mode", MODES)  # 2026-07-28: an input-required round, the run held until the retry
async def test_the_person_is_asked_for_typed_input_and_the_answer_returns(app: App, mode: str) -> None:
    person = Answers(types.ElicitResult(action="accept", content={"username": "ada", "email": "ada@acme.test"}))
    async with await owner_client(app, mode, elicitation_callback=person) as client:
        result = await client.call_tool("test_elicitation", {"message": "Who are you?"})
    assert text_of(result) == 'User response: action=accept, content={"username": "ada", "email": "ada@acme.test"}'
    [asked] = person.asked
    assert asked.message == "Who are you?"
    assert asked.requested_schema["required"] == ["username", "email"]
    assert asked.requested_schema["properties"]["email"] == {"type": "string", "description": "User's email address"}


async def test_sep1034_every_primitive_default_is_sent_and_the_answer_validates_into_the_model(app: App) -> None:
    answer = {"name": "Jane Smith", "age": 25, "score": 88, "status": "inactive", "verified": False}
    person = Answers(types.ElicitResult(action="accept", content=answer))
    async with await owner_client(app, "legacy", elicitation_callback=person) as client:
        result = await client.call_tool("test_elicitation_sep1034_defaults", {})
    properties = person.asked[0].requested_schema["properties"]
    assert {name: (p["type"], p["default"]) for name, p in properties.items()} == {
        "name": ("string", "John Doe"),
        "age": ("integer", 30),
        "score": ("number", 95.5),
        "status": ("string", "active"),
        "verified": ("boolean", True),
    }
    assert properties["status"]["enum"] == ["active", "inactive", "pending"]
    assert text_of(result) == (
        'Elicitation completed: action=accept, content={"name": "Jane Smith", "age": 25, "score": 88.0, '
        '"status": "inactive", "verified": false}'
    )


async def test_sep1330_the_five_enum_shapes(app: App) -> None:
    answer = {
        "untitledSingle": "option1",
        "titledSingle": "value1",
        "legacyEnum": "opt1",
        "untitledMulti": ["option1", "option2"],
        "titledMulti": ["value1", "value2"],
    }
    person = Answers(types.ElicitResult(action="accept", content=answer))
    async with await owner_client(app, "legacy", elicitation_callback=person) as client:
        result = await client.call_tool("test_elicitation_sep1330_enums", {})
    assert not result.is_error, text_of(result)
    assert person.asked[0].requested_schema["properties"] == {
        "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
        "titledSingle": {
            "type": "string",
            "oneOf": [{"const": "value1", "title": "First Option"}, {"const": "value2", "title": "Second Option"}],
        },
        "legacyEnum": {
            "type": "string",
            "enum": ["opt1", "opt2", "opt3"],
            "enumNames": ["Option One", "Option Two", "Option Three"],
        },
        "untitledMulti": {"type": "array", "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
        "titledMulti": {
            "type": "array",
            "items": {
                "anyOf": [{"const": "value1", "title": "First Choice"}, {"const": "value2", "title": "Second Choice"}]
            },
        },
    }


async def test_a_stored_form_is_asked_and_an_answer_off_the_form_fails_the_run_clearly(app: App) -> None:
    form = await app.host.identity.create_form(
        "Department",
        org_id=None,
        form_schema={
            "fields": [
                {"name": "intro", "type": "markdown", "content": "Pick one"},
                {
                    "name": "department",
                    "label": "Department",
                    "type": "select",
                    "required": True,
                    "default_value": "eng",
                    "help_text": "Where the new hire works",
                    "options": [{"value": "eng", "label": "Engineering"}, {"value": "sales", "label": "Sales"}],
                },
                {"name": "start", "label": "Start date", "type": "date"},
                {"name": "remote", "label": "Remote", "type": "checkbox", "default_value": False},
            ]
        },
    )
    person = Answers(types.ElicitResult(action="accept", content={"department": "sales", "remote": True}))
    async with await owner_client(app, "legacy", elicitation_callback=person) as client:
        result = await client.call_tool("pick_department", {"form_id": form.id})
        assert text_of(result) == 'accept: {"department": "sales", "remote": true}'
        assert person.asked[0].requested_schema == {
            "type": "object",
            "properties": {
                "department": {
                    "type": "string",
                    "oneOf": [{"const": "eng", "title": "Engineering"}, {"const": "sales", "title": "Sales"}],
                    "title": "Department",
                    "description": "Where the new hire works",
                    "default": "eng",
                },
                "start": {"type": "string", "format": "date", "title": "Start date"},
                "remote": {"type": "boolean", "title": "Remote", "default": False},
            },
            "required": ["department"],
        }
        person.result = types.ElicitResult(action="accept", content={"department": "marketing"})
        result = await client.call_tool("pick_department", {"form_id": form.id})
    assert result.is_error and "The answer did not match the form: department:" in text_of(result)


async def test_decline_and_cancel_come_back_without_content(app: App) -> None:
    person = Answers(types.ElicitResult(action="decline"))
    async with await owner_client(app, "legacy", elicitation_callback=person) as client:
        declined = await client.call_tool("test_elicitation_sep1034_defaults", {})
        person.result = types.ElicitResult(action="cancel")
        cancelled = await client.call_tool("test_elicitation", {"message": "?"})
    assert text_of(declined) == "Elicitation completed: action=decline, content=null"
    assert text_of(cancelled) == "User response: action=cancel, content=null"


@pytest.mark.parametrize("mode", MODES)
async def test_a_client_that_cannot_elicit_fails_the_run_saying_where_to_answer(app: App, mode: str) -> None:
    async with await owner_client(app, mode) as client:
        result = await client.call_tool("test_elicitation", {"message": "Who are you?"})
    text = text_of(result)
    assert result.is_error and "Cannot ask for input" in text and "supports elicitation" in text, text
    [run] = await runs(app, "test_elicitation")
    assert run.status is ExecutionStatus.FAILED


async def test_with_no_client_at_all_the_run_fails_naming_what_started_it(app: App) -> None:
    owner = await app.host.callers.owner()
    entry = app.find_tool(owner, "test_elicitation")
    assert entry is not None
    outcome = await app.run(entry, {"message": "?"}, owner, trigger="schedule")
    assert not outcome.ok and outcome.message is not None
    assert "this run was started by a schedule, so there is no client to ask" in outcome.message
    outcome = await app.run(app.find_tool(owner, "test_tool_with_progress"), {}, owner, trigger="cli")  # type: ignore[arg-type]
    assert outcome.ok  # progress and log lines without a client: nothing to send, nothing fails


# sampling
class Model:
    def __init__(self) -> None:
        self.asked: list[types.CreateMessageRequestParams] = []

    async def __call__(
        self, _ctx: ClientRequestContext, params: types.CreateMessageRequestParams
    ) -> types.CreateMessageResult:
        self.asked.append(params)
        return types.CreateMessageResult(
            role="assistant", content=types.TextContent(text="a test reply"), model="test-model", stop_reason="endTurn"
        )


@pytest.mark.parametrize("mode", MODES)
async def test_without_a_provider_ai_complete_is_answered_by_the_clients_model(app: App, mode: str) -> None:
    model = Model()
    async with await owner_client(app, mode, sampling_callback=model) as client:
        result = await client.call_tool("test_sampling", {"prompt": "Test prompt"})
    assert text_of(result) == "LLM response: a test reply (test-model)"
    [asked] = model.asked
    assert asked.max_tokens == 100
    assert [(m.role, m.content.text) for m in asked.messages] == [("user", "Test prompt")]  # type: ignore[union-attr]
    [run] = await runs(app, "test_sampling")
    assert (run.input_tokens, run.output_tokens) == (0, 0)


async def test_a_secret_never_reaches_the_clients_model(app: App) -> None:
    model = Model()
    async with await owner_client(app, "legacy", sampling_callback=model) as client:
        result = await client.call_tool("samples_a_secret", {})
    assert not result.is_error, text_of(result)
    sent = model.asked[0].model_dump_json()
    assert SECRET not in sent and "Summarize" in sent


@pytest.mark.parametrize("mode", MODES)
async def test_no_provider_and_no_sampling_is_the_clear_provider_error(app: App, mode: str) -> None:
    async with await owner_client(app, mode) as client:
        result = await client.call_tool("test_sampling", {"prompt": "hi"})
    assert result.is_error and "No AI provider configured" in text_of(result)


# over streamable HTTP, as the conformance harness calls (a 2025-era session, workflows in worker processes)
async def test_over_http_progress_log_lines_a_question_and_sampling_reach_the_client(tmp_path: Path) -> None:
    logs, progress, model = Logs(), [], Model()
    person = Answers(types.ElicitResult(action="accept", content={"username": "ada", "email": "ada@acme.test"}))

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append(done)

    async with client_app(tmp_path, "process") as app:
        owner = await app.host.callers.owner()
        token = (await app.host.credentials.create_token(owner.user_id)).token
        server = LoopbackServer()
        async with server.serve(build_asgi(app, port=server.port, watch=False)) as base:
            options: dict[str, Any] = {"logging_callback": logs, "elicitation_callback": person}
            async with mcp_http_client(base + "/mcp", token, mode="legacy", sampling_callback=model, **options) as c:
                with pytest.warns(MCPDeprecationWarning):
                    await c.set_logging_level("debug")
                await c.call_tool("test_tool_with_progress", {}, progress_callback=on_progress)
                logged = await c.call_tool("test_tool_with_logging", {})
                asked = await c.call_tool("test_elicitation", {"message": "Who are you?"})
                sampled = await c.call_tool("test_sampling", {"prompt": "Test prompt for sampling"})
    assert progress == [0, 50, 100]
    assert not logged.is_error and [data for _, data in logs.lines] == [
        "Tool execution started",
        "a detail below info",
        "Tool processing data",
        "Tool execution completed",
    ]
    assert text_of(asked).startswith("User response: action=accept") and len(person.asked) == 1
    assert text_of(sampled) == "LLM response: a test reply (test-model)"
