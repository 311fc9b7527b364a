"""The App: hot reload reaching connected MCP clients, the access gate's views, data provider caching."""

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import Client

from bifrost import Organization, data_provider, workflow
from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.clock import ManualClock
from bifrost_mcp.errors import AuthenticationError
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace import Registry
from bifrost_mcp.workspace.loader import registry_from_functions
from tests.support.mcp import MODES, change_notifications, connected, opened_app, server_for
from tests.support.poll import poll
from tests.support.workspace import workspace_modules_dropped, write_files

ACME = Organization(id="org-acme", name="Acme")

# the host's own tools, listed besides the workspace's (the admin ones for the owner)
SYSTEM_TOOLS = (
    "search_knowledge",
    "get_execution",
    "agent_assistant",
    "list_executions",
    "list_workflows",
    "read_execution",
)


def member(*, roles: frozenset[str] = frozenset()) -> Caller:
    return Caller(
        user_id="user-1", email="u@acme.test", name="U", organization=ACME, is_platform_admin=False, roles=roles
    )


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    with workspace_modules_dropped(tmp_path / "ws") as path:
        path.mkdir()
        yield path


def tool_source(name: str, parameter: str = "x: int") -> str:
    return f"""
from bifrost import workflow


@workflow(is_tool=True)
async def {name}({parameter}) -> str:
    return "{name}"
"""


async def tool_names(client: Client) -> list[str]:
    """The listed tools other than the host's own (its system tool and built-in agent, present with any workspace)."""
    return [t.name for t in (await client.list_tools()).tools if t.name not in SYSTEM_TOOLS]


async def until_reloaded(
    app: App,
    received: list[str],
    change: Callable[[], object],
    expect: Callable[[Registry], bool],
    *,
    retouch: Path | None = None,
) -> None:
    """Apply `change`, then wait until a reload shows `expect` and a list_changed event arrived.

    The watcher has no readiness signal, so for the first change `retouch` rewrites the file until it is seen.
    """
    version, seen = app.registry.version, len(received)
    change()
    attempts = 0

    async def reloaded() -> bool:
        nonlocal attempts
        attempts += 1
        if retouch is not None and app.registry.version == version and attempts % 25 == 0:
            path = anyio.Path(retouch)
            await path.write_text(await path.read_text())
        return app.registry.version > version and expect(app.registry) and len(received) > seen

    await poll(reloaded, what="a reload and a tools/list_changed event")


@pytest.mark.parametrize("mode", MODES)
async def test_watch_reloads_added_changed_and_removed_files_and_tells_connected_clients(
    tmp_path: Path, root: Path, mode: str
) -> None:
    write_files(root, {"alpha_tools.py": tool_source("first_tool")})
    received: list[str] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            received.append("ToolsListChanged")

    async with (
        opened_app(tmp_path / "data", workspace=root) as app,
        anyio.create_task_group() as tg,
        connected(app, mode, message_handler=on_message) as client,
    ):
        tg.start_soon(partial(app.watch, debounce_ms=20))
        assert "search_knowledge" in [t.name for t in (await client.list_tools()).tools]
        assert await tool_names(client) == ["first_tool"]
        async with change_notifications(client, mode, received):
            added = root / "beta_tools.py"
            await until_reloaded(
                app,
                received,
                lambda: write_files(root, {added.name: tool_source("second_tool")}),
                lambda registry: "second_tool" in registry.tools,
                retouch=added,
            )
            assert await tool_names(client) == ["first_tool", "second_tool"]

            await until_reloaded(
                app,
                received,
                lambda: write_files(root, {added.name: tool_source("second_tool", "text: str")}),
                lambda registry: "text" in registry.tools["second_tool"].signature.input_schema["properties"],
            )
            [second] = [t for t in (await client.list_tools()).tools if t.name == "second_tool"]
            assert list(second.input_schema["properties"]) == ["text"]
            result = await client.call_tool("second_tool", {"text": "hi"})
            assert not result.is_error and result.structured_content == {"result": "second_tool"}

            await until_reloaded(app, received, added.unlink, lambda registry: "second_tool" not in registry.tools)
            assert await tool_names(client) == ["first_tool"]
        tg.cancel_scope.cancel()
    assert set(received) == {"ToolsListChanged"}


async def test_a_reload_with_a_broken_file_keeps_the_other_tools_and_reports_it(tmp_path: Path, root: Path) -> None:
    write_files(root, {"good_tools.py": tool_source("good_tool")})
    async with opened_app(tmp_path / "data", workspace=root) as app:
        versions: list[int] = []

        async def listener(registry: Any) -> None:
            versions.append(registry.version)

        app.on_registry_change(listener)
        write_files(root, {"bad_tools.py": "def broken(:\n"})
        registry = await app.reload()
        assert versions == [2]
        assert list(registry.tools) == [
            "get_execution",
            "good_tool",
            "list_executions",
            "list_workflows",
            "read_execution",
            "search_knowledge",
        ]
        [error] = registry.errors
        assert (error.path, error.line) == ("bad_tools.py", 1)


async def test_a_failing_registry_listener_does_not_stop_the_others(tmp_path: Path, root: Path) -> None:
    write_files(root, {"some_tools.py": tool_source("some_tool")})
    async with opened_app(tmp_path / "data", workspace=root) as app:
        told: list[int] = []

        async def broken(_registry: Any) -> None:
            raise RuntimeError("session went away")

        async def working(registry: Any) -> None:
            told.append(registry.version)

        app.on_registry_change(broken)
        unsubscribe = app.on_registry_change(working)
        await app.reload()
        unsubscribe()
        await app.reload()
        assert told == [2]


@workflow(is_tool=True)
async def open_tool() -> str:
    return "open"


@workflow(is_tool=True, admin_only=True)
async def admin_tool() -> str:
    return "admin"


@workflow(is_tool=True, roles=["helpdesk"])
async def helpdesk_tool() -> str:
    return "helpdesk"


calls: list[str] = []


@data_provider(cache_ttl_seconds=300)
async def cached_options(prefix: str = "") -> list[dict]:
    calls.append(prefix)
    return [{"label": f"{prefix}{len(calls)}", "value": len(calls)}]


@data_provider(cache_ttl_seconds=0)
async def uncached_options() -> list[dict]:
    calls.append("uncached")
    return [{"label": "x", "value": len(calls)}]


@data_provider
async def not_options() -> dict:
    return {"label": "x"}


GATED = [open_tool, admin_tool, helpdesk_tool, cached_options, uncached_options, not_options]


async def test_the_gate_hides_admin_and_role_tools_from_callers_without_them(tmp_path: Path) -> None:
    async with opened_app(tmp_path, functions=GATED) as app:
        owner = await app.host.callers.owner()
        assert [e.tool_name for e in app.visible_tools(owner)] == ["admin_tool", "helpdesk_tool", "open_tool"]
        assert [e.tool_name for e in app.visible_tools(member())] == ["open_tool"]
        assert [e.tool_name for e in app.visible_tools(member(roles=frozenset({"helpdesk"})))] == [
            "helpdesk_tool",
            "open_tool",
        ]
        assert app.find_tool(member(), "admin_tool") is None
        assert app.find_tool(member(), "no_such_tool") is None
        with pytest.raises(PermissionError, match="not available to this caller"):
            await app.run(app.registry.tools["admin_tool"], {}, member())


async def test_a_hidden_tool_looks_like_a_missing_tool_over_mcp(tmp_path: Path) -> None:
    async with opened_app(tmp_path, functions=GATED) as app:
        server = server_for(app, member())
        async with Client(server.server, mode="legacy") as client:
            assert await tool_names(client) == ["open_tool"]
            errors = []
            for name in ("admin_tool", "no_such_tool"):
                with pytest.raises(Exception) as caught:
                    await client.call_tool(name, {})
                errors.append(str(caught.value).replace(name, "<name>"))
            assert errors[0] == errors[1]
        assert await app.host.executions.query() == []


async def test_data_provider_options_are_cached_per_caller_for_their_ttl_and_dropped_on_reload(tmp_path: Path) -> None:
    calls.clear()
    async with opened_app(tmp_path, functions=GATED) as app:
        owner = await app.host.callers.owner()
        entry = app.registry.data_providers["cached_options"]
        first = await app.read_data_provider(entry, {"prefix": "a"}, owner)
        again = await app.read_data_provider(entry, {"prefix": "a"}, owner)
        other_arguments = await app.read_data_provider(entry, {"prefix": "b"}, owner)
        other_caller = await app.read_data_provider(entry, {"prefix": "a"}, member())
        assert first.value == [{"label": "a1", "value": 1}]
        assert again.execution_id == first.execution_id
        assert other_arguments.value == [{"label": "b2", "value": 2}]
        assert other_caller.value == [{"label": "a3", "value": 3}]
        uncached = app.registry.data_providers["uncached_options"]
        one = await app.read_data_provider(uncached, {}, owner)
        two = await app.read_data_provider(uncached, {}, owner)
        assert one.execution_id != two.execution_id
        assert calls == ["a", "b", "a", "uncached", "uncached"]


async def test_cached_options_are_read_again_once_their_ttl_has_passed(tmp_path: Path) -> None:
    calls.clear()
    clock = ManualClock()
    async with App.opened(HostSettings(data_dir=tmp_path), registry_from_functions(GATED), clock=clock) as app:
        owner = await app.host.callers.owner()
        entry = app.registry.data_providers["cached_options"]
        first = await app.read_data_provider(entry, {}, owner)
        clock.advance(299)
        cached = await app.read_data_provider(entry, {}, owner)
        clock.advance(1)
        fresh = await app.read_data_provider(entry, {}, owner)
    assert cached.execution_id == first.execution_id
    assert fresh.execution_id != first.execution_id
    assert (first.value, fresh.value) == ([{"label": "1", "value": 1}], [{"label": "2", "value": 2}])
    assert calls == ["", ""]


async def test_a_data_provider_that_returns_no_options_list_is_an_error(tmp_path: Path) -> None:
    async with opened_app(tmp_path, functions=GATED) as app:
        outcome = await app.read_data_provider(
            app.registry.data_providers["not_options"], {}, await app.host.callers.owner()
        )
        assert outcome.message is not None
        assert "must return a list of {'label', 'value', 'metadata'?} options, got dict" in outcome.message
        assert outcome.record.status is ExecutionStatus.FAILED  # the record agrees with what the client is told


async def test_only_platform_admins_may_act_in_another_organization(tmp_path: Path) -> None:
    async with opened_app(tmp_path) as app:
        org = await app.host.identity.create_org("Contoso")
        owner = await app.host.callers.owner()
        acting = await app.host.callers.acting_in(owner, "Contoso")
        assert (acting.org_id, acting.scope) == (org.id, org.id)
        assert await app.host.callers.acting_in(owner, None) is owner
        with pytest.raises(AuthenticationError) as refused:
            await app.host.callers.acting_in(member(), org.id)
        assert refused.value.status == 403
        with pytest.raises(AuthenticationError) as unknown:
            await app.host.callers.acting_in(owner, "No Such Org")
        assert unknown.value.status == 400


async def test_a_token_is_resolved_to_its_caller_and_a_bad_one_refused(tmp_path: Path) -> None:
    async with opened_app(tmp_path) as app:
        issued = await app.host.credentials.reset_owner_token()
        caller = await app.host.callers.for_token(issued.token)
        assert caller.user_id == (await app.host.callers.owner()).user_id
        assert caller.is_platform_admin
        for bad in ("", "bft_not-a-real-token", "nonsense"):
            with pytest.raises(AuthenticationError) as refused:
                await app.host.callers.for_token(bad)
            assert refused.value.status == 401
        await app.host.credentials.reset_owner_token()
        with pytest.raises(AuthenticationError, match="revoked"):
            await app.host.callers.for_token(issued.token)


async def test_a_token_expires_when_the_clock_passes_its_last_day(tmp_path: Path) -> None:
    clock = ManualClock()
    async with App.opened(HostSettings(data_dir=tmp_path), clock=clock) as app:
        owner = await app.host.callers.owner()
        issued = await app.host.credentials.create_token(owner.user_id, expires_days=1)
        clock.advance(24 * 3600 - 1)
        assert (await app.host.callers.for_token(issued.token)).user_id == owner.user_id
        assert await app.host.credentials.has_active_token(owner.user_id)
        clock.advance(1)
        with pytest.raises(AuthenticationError, match="token expired"):
            await app.host.callers.for_token(issued.token)
        assert not await app.host.credentials.has_active_token(owner.user_id)


AGENTS = """
from bifrost import Agent

desk = Agent("desk", tools=["first_tool"])
techs = Agent("techs", roles=["helpdesk"])
admins = Agent("admins", admin_only=True)
"""


async def test_the_gate_hides_agents_and_a_hidden_agent_looks_like_an_unknown_one(tmp_path: Path, root: Path) -> None:
    write_files(root, {"tools.py": tool_source("first_tool"), "agents.py": AGENTS})
    async with opened_app(tmp_path / "data", workspace=root) as app:
        owner = await app.host.callers.owner()
        technician = member(roles=frozenset({"helpdesk"}))
        assert [a.name for a in app.visible_agents(owner)] == ["admins", "assistant", "desk", "techs"]
        assert [a.name for a in app.visible_agents(technician)] == ["assistant", "desk", "techs"]
        assert [a.name for a in app.visible_agents(member())] == ["assistant", "desk"]
        assert app.find_agent(member(), "techs") is None
        assert app.find_agent(member(), "admins") is None
        assert app.find_agent(member(), "no_such_agent") is None
        desk = app.find_agent(member(), "desk")
        assert desk is not None
        assert [t.name for t in app.agent_tools(member(), desk)] == ["first_tool"]


async def test_a_reload_picks_up_added_changed_and_removed_agents(tmp_path: Path, root: Path) -> None:
    write_files(root, {"tools.py": tool_source("first_tool") + tool_source("second_tool")})
    async with opened_app(tmp_path / "data", workspace=root) as app:
        assert list(app.registry.agents) == ["assistant"]

        write_files(root, {"agents.py": "from bifrost import Agent\n\ndesk = Agent('desk', tools=['first_tool'])\n"})
        assert list((await app.reload()).agents) == ["assistant", "desk"]

        write_files(root, {"agents.py": "from bifrost import Agent\n\ndesk = Agent('desk', tools=['second_tool'])\n"})
        desk = (await app.reload()).agents["desk"]
        assert desk.tools == ("second_tool",)

        write_files(root, {"agents.py": "from bifrost import Agent\n\ndesk = Agent('desk', tools=['gone'])\n"})
        registry = await app.reload()
        assert list(registry.agents) == ["assistant"]
        assert [(e.path, e.line) for e in registry.errors] == [("agents.py", 3)]

        (root / "agents.py").unlink()
        registry = await app.reload()
        assert (list(registry.agents), registry.errors) == (["assistant"], [])
