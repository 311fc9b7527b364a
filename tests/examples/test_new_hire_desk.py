"""examples/new_hire_desk.py through the official client: progress and log lines, a form, the client's model."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import mcp_types as types
import pytest
from mcp.client.session import ClientRequestContext
from mcp.shared.exceptions import MCPDeprecationWarning

from bifrost_mcp.app import App
from tests.support.approvals import Person
from tests.support.mcp import ISOLATIONS, MODES, connected, opened_app, text_of
from tests.support.workspace import EXAMPLES


@pytest.fixture(params=ISOLATIONS)
async def app(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[App]:
    async with opened_app(tmp_path, workspace=EXAMPLES, isolation=request.param, workers=1) as application:
        yield application


@pytest.mark.parametrize("mode", MODES)
async def test_sync_mailboxes_reports_each_mailbox_and_logs_it(app: App, mode: str) -> None:
    progress: list[tuple[float, float | None, str | None]] = []
    logs: list[str] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, total, message))

    async def on_log(params: types.LoggingMessageNotificationParams) -> None:
        logs.append(f"{params.level} {params.logger}: {params.data}")

    async with connected(app, mode, logging_callback=on_log, log_level="info") as client:
        if mode == "legacy":
            with pytest.warns(MCPDeprecationWarning):
                await client.set_logging_level("info")
        result = await client.call_tool("sync_mailboxes", {"count": 3}, progress_callback=on_progress)
    assert result.structured_content == {"synced": 3}
    assert progress == [(1, 3, "mailbox 1 of 3"), (2, 3, "mailbox 2 of 3"), (3, 3, "mailbox 3 of 3")]
    assert logs == [f"info sync_mailboxes: synced mailbox {n} of 3" for n in (1, 2, 3)]


async def test_place_new_hire_asks_with_defaults_and_returns_the_answer(app: App) -> None:
    person = Person([types.ElicitResult(action="accept", content={"department": "sales", "laptop": False})])
    async with connected(app, "legacy", elicitation_callback=person) as client:
        result = await client.call_tool("place_new_hire", {"name": "Dana Scully"})
        person.answers = [types.ElicitResult(action="decline")]
        person.shown.clear()
        declined = await client.call_tool("place_new_hire", {"name": "Fox Mulder"})
    assert result.structured_content == {"placed": True, "name": "Dana Scully", "department": "sales", "laptop": False}
    assert declined.structured_content == {"placed": False, "name": "Fox Mulder", "reason": "decline"}
    [asked] = person.shown
    schema = asked.requested_schema
    assert asked.message == "Where does Fox Mulder start?" and schema["required"] == ["department"]
    assert schema["properties"]["department"]["default"] == "eng"
    assert schema["properties"]["department"]["oneOf"][0] == {"const": "eng", "title": "Engineering"}
    assert schema["properties"]["start_date"]["format"] == "date"
    assert schema["properties"]["laptop"] == {"type": "boolean", "title": "Needs a laptop", "default": True}


async def test_place_new_hire_from_a_client_that_cannot_ask_fails_saying_so(app: App) -> None:
    async with connected(app, "legacy") as client:
        result = await client.call_tool("place_new_hire", {"name": "Dana Scully"})
    assert result.is_error and "this MCP client does not support elicitation" in text_of(result)


async def test_summarize_ticket_without_a_provider_uses_the_clients_model(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_AUTH_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    prompts: list[str] = []

    async def model(_ctx: ClientRequestContext, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        prompts.append(json.dumps([m.content.text for m in params.messages]))  # type: ignore[union-attr]
        return types.CreateMessageResult(role="assistant", content=types.TextContent(text="Printer jam."), model="m")

    async with connected(app, "legacy", sampling_callback=model) as client:
        result = await client.call_tool("summarize_ticket", {"text": "The printer on floor 3 jams."})
    assert text_of(result) == "Printer jam."
    assert len(prompts) == 1 and "The printer on floor 3 jams." in prompts[0]
