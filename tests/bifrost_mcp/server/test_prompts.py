"""prompts/list and prompts/get through the official client, in both protocol eras and both isolation modes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.server.http import build_asgi
from tests.support.callers import user_token
from tests.support.mcp import EXECUTION_META_KEY, ISOLATIONS, MODES, mcp_http_client, opened_app, server_for
from tests.support.poll import poll
from tests.support.prompts import PNG_BASE64, PROMPT_NAMES, WORKSPACE, caller
from tests.support.server import LoopbackServer
from tests.support.workspace import workspace_modules_dropped, write_files


@pytest.fixture(params=ISOLATIONS)
async def app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[App]:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        write_files(root, WORKSPACE)
        async with opened_app(tmp_path / "data", workspace=root, isolation=request.param) as opened:
            yield opened


def client_for(app: App, mode: str, **roles: object) -> Client:
    return Client(server_for(app, caller(**roles)).server, mode=mode)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
async def test_the_harness_prompts_render_as_it_expects(app: App, mode: str) -> None:
    async with client_for(app, mode) as client:
        capabilities = client.server_capabilities
        listed = {p.name: p for p in (await client.list_prompts()).prompts}
        simple = await client.get_prompt("test_simple_prompt")
        with_args = await client.get_prompt("test_prompt_with_arguments", {"arg1": "hello", "arg2": "world"})
        embedded = await client.get_prompt("test_prompt_with_embedded_resource", {"resourceUri": "test://doc"})
        image = await client.get_prompt("test_prompt_with_image")

    assert capabilities.prompts is not None and capabilities.prompts.list_changed
    assert capabilities.completions is not None
    assert sorted(listed) == PROMPT_NAMES
    args = listed["test_prompt_with_arguments"]
    assert args.description == "A prompt with required arguments."
    assert [(a.name, a.description, a.required) for a in args.arguments or []] == [
        ("arg1", "First test argument", True),
        ("arg2", "Second test argument", True),
    ]
    assert listed["test_simple_prompt"].arguments == []
    assert [m.model_dump(mode="json", exclude_none=True) for m in simple.messages] == [
        {"role": "user", "content": {"type": "text", "text": "This is a simple prompt for testing."}}
    ]
    assert [m.model_dump(mode="json", exclude_none=True) for m in with_args.messages] == [
        {"role": "user", "content": {"type": "text", "text": "Prompt with arguments: arg1='hello', arg2='world'"}}
    ]
    assert [m.model_dump(mode="json", exclude_none=True, by_alias=True) for m in embedded.messages] == [
        {
            "role": "user",
            "content": {
                "type": "resource",
                "resource": {
                    "uri": "test://doc",
                    "mimeType": "text/plain",
                    "text": "Embedded resource content for testing.",
                },
            },
        },
        {"role": "user", "content": {"type": "text", "text": "Please process the embedded resource above."}},
    ]
    assert [m.model_dump(mode="json", exclude_none=True, by_alias=True) for m in image.messages] == [
        {"role": "user", "content": {"type": "image", "data": PNG_BASE64, "mimeType": "image/png"}},
        {"role": "user", "content": {"type": "text", "text": "Please analyze the image above."}},
    ]


@pytest.mark.parametrize("mode", MODES)
async def test_a_prompt_runs_as_the_caller_on_the_record_with_string_arguments_converted(app: App, mode: str) -> None:
    async with client_for(app, mode) as client:
        listed = {p.name: p for p in (await client.list_prompts()).prompts}
        result = await client.get_prompt(
            "plan_trip", {"city": "lyon", "nights": "3", "flexible": "true", "pace": "fast"}
        )

    plan = listed["plan_trip"]
    assert plan.description == "Plan a trip"
    assert [(a.name, a.description, a.required) for a in plan.arguments or []] == [
        ("city", "Where to go", True),
        ("country", None, False),
        ("nights", None, False),
        ("flexible", None, False),
        ("pace", None, False),
        ("budget", None, False),
    ]
    assert [(m.role, m.content.text) for m in result.messages] == [  # type: ignore[union-attr]
        ("user", "Plan 3 night(s) in lyon (fr), pace fast, budget None, flexible=True, for Ada."),
        ("assistant", "Which dates?"),
    ]
    execution_id = (result.meta or {})[EXECUTION_META_KEY]
    (run,) = await app.host.executions.query(workflow_name="plan_trip")
    assert (run.id, run.status, run.executed_by, run.trigger) == (execution_id, ExecutionStatus.COMPLETED, "ada", "mcp")
    assert run.input_data == {"city": "lyon", "nights": "3", "flexible": "true", "pace": "fast"}


@pytest.mark.parametrize("mode", MODES)
async def test_bad_arguments_are_invalid_params_naming_the_field(app: App, mode: str) -> None:
    async with client_for(app, mode) as client:
        with pytest.raises(MCPError) as missing:
            await client.get_prompt("test_prompt_with_arguments", {"arg1": "hello"})
        with pytest.raises(MCPError) as wrong:
            await client.get_prompt("plan_trip", {"city": "lyon", "nights": "many", "budget": "medium"})
        with pytest.raises(MCPError) as extra:
            await client.get_prompt("test_simple_prompt", {"colour": "red"})

    assert missing.value.error.code == types.INVALID_PARAMS
    assert missing.value.error.message == (
        "Invalid arguments for 'test_prompt_with_arguments': arg2: required argument is missing"
    )
    assert wrong.value.error.code == types.INVALID_PARAMS
    assert wrong.value.error.message == (
        "Invalid arguments for 'plan_trip': nights: Input should be a valid integer, unable to parse string as an "
        "integer; budget: Input should be 'low' or 'high'"
    )
    assert extra.value.error.code == types.INVALID_PARAMS
    assert "colour: unexpected argument" in extra.value.error.message


@pytest.mark.parametrize("mode", MODES)
async def test_a_failing_prompt_is_an_error_with_its_execution_id(app: App, mode: str) -> None:
    async with client_for(app, mode) as client:
        errors = {}
        for name, arguments in (("broken", {}), ("refuses", {"reason": "no"}), ("wrong_shape", {})):
            with pytest.raises(MCPError) as raised:
                await client.get_prompt(name, arguments)
            errors[name] = raised.value.error

    for name, error in errors.items():
        (run,) = await app.host.executions.query(workflow_name=name)
        assert run.status == ExecutionStatus.FAILED
        assert error.code == types.INTERNAL_ERROR
        assert error.message == f"{run.error_message} (execution {run.id})"
    assert errors["broken"].message.startswith("RuntimeError: the prompt broke (execution ")
    assert errors["refuses"].message.startswith("cannot do that: no (execution ")
    assert "prompt 'wrong_shape' returned int" in errors["wrong_shape"].message


async def test_who_sees_which_prompt_and_hidden_ones_answer_like_unknown_ones(app: App) -> None:
    everyone = set(PROMPT_NAMES)
    expected = {
        "member": everyone,
        "travel desk": everyone | {"desk_only", "agent_guide"},
        "admin": everyone | {"desk_only", "admins_only", "agent_guide"},
    }
    callers = {
        "member": caller(),
        "travel desk": caller(roles=("travel-desk",)),
        "admin": caller(admin=True, user_id="root"),
    }
    for label, who in callers.items():
        async with Client(server_for(app, who).server, mode="legacy") as client:
            listed = {p.name for p in (await client.list_prompts()).prompts}
            assert listed == expected[label], label
            for name in ("desk_only", "admins_only", "agent_guide", "no_such_prompt"):
                if name in listed:
                    assert (await client.get_prompt(name)).messages, (label, name)
                    continue
                with pytest.raises(MCPError) as raised:
                    await client.get_prompt(name)
                assert (raised.value.error.code, raised.value.error.message) == (
                    types.INVALID_PARAMS,
                    f"Unknown prompt: {name}",
                ), (label, name)
    assert [r.workflow_name for r in await app.host.executions.query(workflow_name="admins_only")] == ["admins_only"]


@pytest.mark.parametrize("mode", MODES)
async def test_an_agent_is_a_prompt_of_its_instructions_for_the_caller(app: App, mode: str) -> None:
    async with client_for(app, mode, roles=("travel-desk",)) as client:
        listed = {p.name: p for p in (await client.list_prompts()).prompts}
        result = await client.get_prompt("agent_guide")
        with pytest.raises(MCPError) as raised:
            await client.get_prompt("agent_guide", {"topic": "food"})

    assert (listed["agent_guide"].description, listed["agent_guide"].arguments) == ("A travel guide.", [])
    assert [(m.role, m.content.text) for m in result.messages] == [("user", "You guide Ada of Org A.")]  # type: ignore[union-attr]
    assert raised.value.error.code == types.INVALID_PARAMS
    assert "an agent's prompt takes no arguments; remove 'topic'" in raised.value.error.message


LATER = """
from bifrost import prompt


@prompt
def added_later() -> str:
    return "new"
"""


@pytest.mark.parametrize("mode", MODES)
async def test_a_reload_tells_sessions_the_prompt_list_changed_and_the_list_follows(app: App, mode: str) -> None:
    received: list[str] = []

    async def on_message(message: object) -> None:
        if mode == "legacy" and isinstance(message, types.PromptListChangedNotification):
            received.append("PromptsListChanged")

    server = server_for(app, caller())
    async with Client(server.server, mode=mode, message_handler=on_message) as client:
        assert "added_later" not in {p.name for p in (await client.list_prompts()).prompts}
        async with prompt_changes(client, mode, received):
            root = app.host.settings.workspace
            assert root is not None
            write_files(root, {"later.py": LATER})
            await app.reload()
            await poll(lambda: received, what="prompts/list_changed")
        listed = {p.name for p in (await client.list_prompts()).prompts}
        rendered = await client.get_prompt("added_later")

    assert received == ["PromptsListChanged"]
    assert "added_later" in listed
    assert [m.content.text for m in rendered.messages] == ["new"]  # type: ignore[union-attr]


@asynccontextmanager
async def prompt_changes(client: Client, mode: str, received: list[str]) -> AsyncIterator[None]:
    """prompts/list_changed as notifications (2025 era, see the message handler) or on a listen stream (2026)."""
    if mode == "legacy":
        yield
        return
    async with client.listen(prompts_list_changed=True) as subscription, anyio.create_task_group() as tg:

        async def consume() -> None:
            async for event in subscription:
                received.append(type(event).__name__)

        tg.start_soon(consume)
        yield
        tg.cancel_scope.cancel()


@pytest.mark.parametrize("mode", MODES)
async def test_over_http_each_user_lists_gets_and_completes_their_own_prompts(tmp_path: Path, mode: str) -> None:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        write_files(root, WORKSPACE)
        async with opened_app(tmp_path / "data", workspace=root) as app:
            org = await app.host.identity.create_org("Travel")
            desk, _ = await user_token(app, org.id, "desk@travel.test", "travel-desk")
            plain, _ = await user_token(app, org.id, "plain@travel.test")
            server = LoopbackServer()
            async with server.serve(build_asgi(app, port=server.port, watch=False)) as base:
                async with mcp_http_client(f"{base}/mcp", desk, mode=mode) as client:
                    desk_listed = {p.name for p in (await client.list_prompts()).prompts}
                    rendered = await client.get_prompt("plan_trip", {"city": "paris"})
                    completed = await client.complete(
                        types.PromptReference(name="plan_trip"), {"name": "city", "value": "ly"}
                    )
                    guide = await client.get_prompt("agent_guide")
                async with mcp_http_client(f"{base}/mcp", plain, mode=mode) as client:
                    plain_listed = {p.name for p in (await client.list_prompts()).prompts}
                    with pytest.raises(MCPError) as hidden:
                        await client.get_prompt("desk_only")

    assert desk_listed - plain_listed == {"desk_only", "agent_guide"}
    assert rendered.messages[0].content.text.endswith("for desk.")  # type: ignore[union-attr]
    assert completed.completion.values == ["lyon"]
    assert [m.content.text for m in guide.messages] == ["You guide desk of Travel."]  # type: ignore[union-attr]
    assert (hidden.value.error.code, hidden.value.error.message) == (types.INVALID_PARAMS, "Unknown prompt: desk_only")
