"""Author resources over MCP (official client, in memory and over HTTP): listed, read, subscribed, hidden."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError

from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from tests.support.callers import ORG_A, ORG_B, member
from tests.support.mcp import ISOLATIONS, connected, opened_app, server_for
from tests.support.poll import poll
from tests.support.workspace import workspace_modules_dropped, write_files

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
FIXTURES = f"""
from bifrost import context, resource, resources, workflow

PNG = {PNG!r}


@resource("test://static-text", name="static_text", description="A static text resource")
def static_text() -> str:
    return "This is the content of the static text resource."


@resource("test://static-binary", name="static_binary", description="A PNG", mime_type="image/png")
def static_binary() -> bytes:
    return PNG


@resource("test://template/{{id}}/data", name="template_data", description="Data for an id")
def template_data(id: str) -> dict:
    return {{"id": id, "templateTest": True, "data": f"Data for ID: {{id}}"}}


@resource("test://watched-resource", name="watched", description="Watched")
async def watched() -> str:
    return f"watched by {{context.org_id}}"


@resource("secret://admin-notes", name="admin_notes", admin_only=True)
def admin_notes() -> str:
    return "for admins"


@resource("files://{{+path}}", name="paths")
def paths(path: str) -> str:
    return path


@workflow(is_tool=True)
async def touch_watched() -> str:
    await resources.changed("test://watched-resource")
    return "touched"
"""


@asynccontextmanager
async def fixture_app(tmp_path: Path, isolation: str = "inline", files: str = FIXTURES) -> AsyncIterator[App]:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        root.mkdir()
        write_files(root, {"fixtures.py": files})
        async with opened_app(tmp_path / "data", workspace=root, isolation=isolation, workers=1) as app:
            assert not app.registry.errors, app.registry.errors
            yield app


@asynccontextmanager
async def client_as(app: App, caller: Caller, mode: str = "legacy", **options: Any) -> AsyncIterator[Client]:
    async with Client(server_for(app, caller).server, mode=mode, **options) as client:
        yield client


async def check_conformance_fixtures(client: Client) -> None:
    listed = {r.uri: r for r in (await client.list_resources()).resources}
    assert listed["test://static-text"].name == "static_text"
    assert listed["test://static-text"].description == "A static text resource"
    assert listed["test://static-binary"].mime_type == "image/png"
    assert "test://template/{id}/data" not in listed
    templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
    assert {"test://template/{id}/data", "files://{+path}", "bifrost://executions/{execution_id}"} <= templates

    [text] = (await client.read_resource("test://static-text")).contents
    assert isinstance(text, types.TextResourceContents)
    assert (text.uri, text.mime_type) == ("test://static-text", "text/plain")
    assert text.text == "This is the content of the static text resource."

    [blob] = (await client.read_resource("test://static-binary")).contents
    assert isinstance(blob, types.BlobResourceContents)
    assert (blob.mime_type, base64.b64decode(blob.blob)) == ("image/png", PNG)

    [data] = (await client.read_resource("test://template/123/data")).contents
    assert isinstance(data, types.TextResourceContents)
    assert (data.uri, data.mime_type) == ("test://template/123/data", "application/json")
    assert json.loads(data.text) == {"id": "123", "templateTest": True, "data": "Data for ID: 123"}

    [path] = (await client.read_resource("files://a/b%20c.txt")).contents
    assert isinstance(path, types.TextResourceContents) and path.text == "a/b c.txt"


@pytest.mark.parametrize("isolation", ISOLATIONS)
async def test_resources_at_author_uris_are_listed_and_read_as_the_caller(tmp_path: Path, isolation: str) -> None:
    async with fixture_app(tmp_path, isolation) as app, connected(app, "legacy") as client:
        await check_conformance_fixtures(client)
        await subscribe(client, "test://watched-resource")
        await unsubscribe(client, "test://watched-resource")
        records = await app.host.executions.query(workflow_name="template_data")
        assert [r.input_data for r in records] == [{"id": "123"}]  # recorded like any run


async def test_resources_on_the_2026_era(tmp_path: Path) -> None:
    async with fixture_app(tmp_path) as app, connected(app, "auto") as client:
        await check_conformance_fixtures(client)


async def test_a_hidden_resource_answers_like_an_unknown_one(tmp_path: Path) -> None:
    async with fixture_app(tmp_path) as app:
        async with connected(app, "legacy") as owner:
            assert "secret://admin-notes" in {r.uri for r in (await owner.list_resources()).resources}
            [notes] = (await owner.read_resource("secret://admin-notes")).contents
            assert isinstance(notes, types.TextResourceContents) and notes.text == "for admins"
        async with client_as(app, member(ORG_A)) as client:
            assert "secret://admin-notes" not in {r.uri for r in (await client.list_resources()).resources}
            errors = []
            for uri in ("secret://admin-notes", "secret://nothing-here"):
                with pytest.raises(MCPError) as raised:
                    await client.read_resource(uri)
                errors.append((raised.value.error.code, raised.value.error.message.replace(uri, "<uri>")))
            assert errors[0] == errors[1] == (-32002, "Resource not found: <uri>")


async def test_invalid_template_values_and_failures_are_clear_errors(tmp_path: Path) -> None:
    files = (
        FIXTURES
        + """

@resource("test://numbers/{n}", name="numbers")
def numbers(n: int) -> int:
    return n * 2


@resource("test://broken", name="broken")
def broken() -> str:
    raise RuntimeError("the report store is down")
"""
    )
    async with fixture_app(tmp_path, files=files) as app, connected(app, "legacy") as client:
        [doubled] = (await client.read_resource("test://numbers/21")).contents
        assert isinstance(doubled, types.TextResourceContents) and doubled.text == "42"
        with pytest.raises(MCPError) as invalid:
            await client.read_resource("test://numbers/abc")
        assert invalid.value.error.code == types.INVALID_PARAMS and "n:" in invalid.value.error.message
        with pytest.raises(MCPError) as failed:
            await client.read_resource("test://broken")
        assert "RuntimeError: the report store is down (execution " in failed.value.error.message


async def subscribe(client: Client, uri: str) -> None:
    with pytest.warns(MCPDeprecationWarning):  # the client's note that 2026-07-28 has subscriptions/listen instead
        await client.subscribe_resource(uri)


async def unsubscribe(client: Client, uri: str) -> None:
    with pytest.warns(MCPDeprecationWarning):
        await client.unsubscribe_resource(uri)


def updates_into(received: list[str]) -> Any:
    async def on_message(message: Any) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            received.append(str(message.params.uri))

    return on_message


@pytest.mark.parametrize("isolation", ISOLATIONS)
async def test_subscribers_are_told_of_a_signalled_change_in_their_organization_only(
    tmp_path: Path, isolation: str
) -> None:
    a_told: list[str] = []
    b_told: list[str] = []
    async with (
        fixture_app(tmp_path, isolation) as app,
        client_as(app, member(ORG_A), message_handler=updates_into(a_told)) as a,
        client_as(app, member(ORG_B), message_handler=updates_into(b_told)) as b,
    ):
        await subscribe(a, "test://watched-resource")
        await subscribe(b, "test://watched-resource")
        touched = await a.call_tool("touch_watched", {})
        assert not touched.is_error
        await poll(lambda: a_told, what="org A's session told")
        await b.list_resource_templates()  # anything sent to b before this answer has been handled by now
        assert a_told == ["test://watched-resource"] and b_told == []

        await unsubscribe(a, "test://watched-resource")
        await b.call_tool("touch_watched", {})
        await poll(lambda: b_told, what="org B's session told")
        await a.list_resource_templates()
        assert a_told == ["test://watched-resource"] and b_told == ["test://watched-resource"]


async def test_a_signal_for_a_resource_the_run_cannot_see_fails_the_run(tmp_path: Path) -> None:
    files = (
        FIXTURES
        + """

@workflow(is_tool=True)
async def touch_notes() -> str:
    await resources.changed("secret://admin-notes")
    return "touched"
"""
    )
    async with fixture_app(tmp_path, files=files) as app, client_as(app, member(ORG_A)) as client:
        result = await client.call_tool("touch_notes", {})
        assert result.is_error
        assert "no resource at 'secret://admin-notes'" in result.content[0].text  # type: ignore[union-attr]


async def test_2026_listen_streams_are_told_of_subscribed_resources_for_their_caller(tmp_path: Path) -> None:
    told: dict[str, list[str]] = {"a": [], "b": []}
    async with (
        fixture_app(tmp_path) as app,
        client_as(app, member(ORG_A), "auto") as a,
        client_as(app, member(ORG_B), "auto") as b,
        a.listen(resource_subscriptions=["test://watched-resource"]) as a_stream,
        b.listen(resource_subscriptions=["test://watched-resource"]) as b_stream,
        anyio.create_task_group() as tg,
    ):

        async def consume(stream: Any, into: list[str]) -> None:
            async for event in stream:
                into.append(event.uri)

        tg.start_soon(consume, a_stream, told["a"])
        tg.start_soon(consume, b_stream, told["b"])
        assert not (await a.call_tool("touch_watched", {})).is_error
        await poll(lambda: told["a"], what="org A's listen stream told")
        assert not (await b.call_tool("touch_watched", {})).is_error
        await poll(lambda: told["b"], what="org B's listen stream told")
        assert told == {"a": ["test://watched-resource"], "b": ["test://watched-resource"]}
        tg.cancel_scope.cancel()


async def test_a_hot_reload_that_changes_a_resource_tells_its_subscribers(tmp_path: Path) -> None:
    told: list[str] = []
    async with (
        fixture_app(tmp_path) as app,
        connected(app, "legacy", message_handler=updates_into(told)) as client,
    ):
        await subscribe(client, "test://static-text")
        await subscribe(client, "test://template/7/data")
        assert app.registry.root is not None
        source = app.registry.root / "fixtures.py"
        source.write_text(source.read_text().replace("static text resource.", "static text resource, v2."))
        await app.reload()
        await poll(lambda: "test://static-text" in told, what="the subscriber told of the changed resource")
        [text] = (await client.read_resource("test://static-text")).contents
        assert isinstance(text, types.TextResourceContents) and text.text.endswith("resource, v2.")

        await client.list_resource_templates()
        told.clear()
        await app.reload()  # nothing changed: nobody is told
        await client.list_resource_templates()
        assert told == []
