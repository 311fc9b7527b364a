"""completion/complete through the official client: prompt arguments and resource templates, from data providers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from bifrost_mcp.app import App
from tests.support.mcp import ISOLATIONS, MODES, opened_app, server_for
from tests.support.prompts import WORKSPACE, caller
from tests.support.workspace import workspace_modules_dropped, write_files

PROVIDERS = """
from typing import Annotated

from bifrost import data_provider, options, prompt, resource, workflow


@data_provider(cache_ttl_seconds=60)
async def rooms(city: Annotated[str, options("cities")] = "paris") -> list:
    return [{"label": f"Room {n} in {city}", "value": f"{city}-{n}"} for n in (1, 2)]


@data_provider
async def flaky() -> list:
    raise RuntimeError("the directory is down")


@prompt
def ask(who: Annotated[str, options("flaky")]) -> str:
    return who


@data_provider
async def levels(floor: int = 0) -> list:
    return [{"label": f"Level {floor}", "value": str(floor)}]


@prompt
def lift(level: Annotated[str, options("levels")]) -> str:
    return level


@workflow(is_tool=True)
async def book(city: Annotated[str, options("cities")], nights: int = 1) -> str:
    return f"booked {city}"


@resource("hotels://{city}/rooms", admin_only=True)
async def hotel_rooms(city: Annotated[str, options("cities")]) -> str:
    return f"rooms in {city}"
"""


@pytest.fixture(params=ISOLATIONS)
async def app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[App]:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        write_files(root, {**WORKSPACE, "rooms.py": PROVIDERS})
        async with opened_app(tmp_path / "data", workspace=root, isolation=request.param) as opened:
            yield opened


def prompt_ref(name: str) -> types.PromptReference:
    return types.PromptReference(name=name)


async def runs_of(app: App, name: str) -> int:
    return len(await app.host.executions.query(workflow_name=name))


@pytest.mark.parametrize("mode", MODES)
async def test_a_prompt_argument_completes_from_its_provider_filtered_by_the_typed_prefix(app: App, mode: str) -> None:
    async with Client(server_for(app, caller()).server, mode=mode) as client:
        par = await client.complete(prompt_ref("plan_trip"), {"name": "city", "value": "PAR"})
        everything = await client.complete(prompt_ref("plan_trip"), {"name": "city", "value": ""})
        by_label = await client.complete(prompt_ref("plan_trip"), {"name": "city", "value": "mars"})
        german = await client.complete(prompt_ref("plan_trip"), {"name": "city", "value": "p"}, {"country": "de"})
        none = await client.complete(prompt_ref("plan_trip"), {"name": "city", "value": "zz"})

    assert (par.completion.values, par.completion.total, par.completion.has_more) == (["paris", "parthenay"], 2, False)
    assert everything.completion.values == ["paris", "lyon", "parthenay", "marseille"]
    assert by_label.completion.values == ["marseille"]
    assert german.completion.values == ["passau"]  # the provider's `country` parameter, from context.arguments
    assert (none.completion.values, none.completion.total) == ([], 0)
    # one run per distinct provider arguments: the rest came from the cache (cache_ttl_seconds=300)
    assert await runs_of(app, "cities") == 2


@pytest.mark.parametrize("mode", MODES)
async def test_the_harness_argument_without_options_answers_an_empty_completion(app: App, mode: str) -> None:
    async with Client(server_for(app, caller()).server, mode=mode) as client:
        result = await client.complete(prompt_ref("test_prompt_with_arguments"), {"name": "arg1", "value": "par"})
        agent = await client.complete(prompt_ref("agent_assistant"), {"name": "anything", "value": ""})

    assert result.completion.model_dump(exclude_none=True) == {"values": [], "total": 0, "has_more": False}
    assert agent.completion.values == []


async def test_at_most_100_values_with_the_total_and_has_more(app: App) -> None:
    async with Client(server_for(app, caller()).server, mode="legacy") as client:
        result = await client.complete(prompt_ref("pick_item"), {"name": "item", "value": "1"})
        all_of_them = await client.complete(prompt_ref("pick_item"), {"name": "item", "value": ""})

    ones = [str(n) for n in range(250) if str(n).startswith("1")]
    assert (result.completion.values, result.completion.total, result.completion.has_more) == (ones[:100], 111, True)
    assert all_of_them.completion.values == [str(n) for n in range(100)]
    assert (all_of_them.completion.total, all_of_them.completion.has_more) == (250, True)


@pytest.mark.parametrize("mode", MODES)
async def test_a_resource_template_parameter_completes_from_its_options(app: App, mode: str) -> None:
    template = types.ResourceTemplateReference(uri="bifrost://data-providers/rooms{?city}")
    async with Client(server_for(app, caller()).server, mode=mode) as client:
        templates = {t.name: t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        result = await client.complete(template, {"name": "city", "value": "ly"})
        with pytest.raises(MCPError) as unknown:
            await client.complete(
                types.ResourceTemplateReference(uri="test://nothing/{id}"), {"name": "id", "value": ""}
            )
        hotels = types.ResourceTemplateReference(uri="hotels://{city}/rooms")
        with pytest.raises(MCPError) as hidden:  # admin_only: answers like an unknown template
            await client.complete(hotels, {"name": "city", "value": "ly"})
    async with Client(server_for(app, caller(admin=True)).server, mode=mode) as client:
        author = await client.complete(hotels, {"name": "city", "value": "ly"})

    assert templates["rooms"] == template.uri
    assert result.completion.values == ["lyon"]
    assert author.completion.values == ["lyon"]  # an @resource template's parameter, from its options
    assert hidden.value.error.message == "Unknown resource template: hotels://{city}/rooms"
    assert (unknown.value.error.code, unknown.value.error.message) == (
        types.INVALID_PARAMS,
        "Unknown resource template: test://nothing/{id}",
    )


async def test_the_gate_decides_what_completes_and_hidden_prompts_answer_like_unknown_ones(app: App) -> None:
    answers: dict[str, object] = {}
    for label, who in (("member", caller()), ("admin", caller(admin=True, user_id="root"))):
        async with Client(server_for(app, who).server, mode="legacy") as client:
            codes = await client.complete(prompt_ref("pick_item"), {"name": "code", "value": ""})
            answers[label] = codes.completion.values
            for name in ("admins_only", "no_such_prompt"):
                try:
                    await client.complete(prompt_ref(name), {"name": "x", "value": ""})
                    answers[f"{label} {name}"] = "answered"
                except MCPError as exc:
                    answers[f"{label} {name}"] = (exc.error.code, exc.error.message)

    unknown = (types.INVALID_PARAMS, "Unknown prompt: admins_only")
    assert answers == {
        "member": [],  # the provider is admin_only: a member is offered nothing from it
        "admin": ["alpha"],
        "member admins_only": unknown,
        "member no_such_prompt": (types.INVALID_PARAMS, "Unknown prompt: no_such_prompt"),
        "admin admins_only": "answered",
        "admin no_such_prompt": (types.INVALID_PARAMS, "Unknown prompt: no_such_prompt"),
    }
    assert await runs_of(app, "secret_codes") == 1


@pytest.mark.parametrize("mode", MODES)
async def test_a_failing_provider_is_an_error_with_its_execution_id(app: App, mode: str) -> None:
    async with Client(server_for(app, caller()).server, mode=mode) as client:
        with pytest.raises(MCPError) as raised:
            await client.complete(prompt_ref("ask"), {"name": "who", "value": ""})
        with pytest.raises(MCPError) as invalid:
            await client.complete(prompt_ref("lift"), {"name": "level", "value": ""}, {"floor": "top"})

    (run,) = await app.host.executions.query(workflow_name="flaky")
    assert raised.value.error.code == types.INTERNAL_ERROR
    assert raised.value.error.message == f"RuntimeError: the directory is down (execution {run.id})"
    assert (invalid.value.error.code, invalid.value.error.message) == (
        types.INVALID_PARAMS,
        "Invalid arguments for 'levels': floor: Input should be a valid integer, unable to parse string as an integer",
    )


@pytest.mark.parametrize("mode", MODES)
async def test_a_tool_or_prompt_names_the_resource_of_its_options_which_reads_them(app: App, mode: str) -> None:
    async with Client(server_for(app, caller()).server, mode=mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        uri = (tools["book"].meta or {})["bifrost/options"]["city"]
        read = await client.read_resource(uri)

    assert (tools["book"].meta or {})["bifrost/options"] == {"city": "bifrost://data-providers/cities"}
    assert (prompts["plan_trip"].meta or {})["bifrost/options"] == {"city": "bifrost://data-providers/cities"}
    assert prompts["test_simple_prompt"].meta is None
    assert '"value": "paris"' in read.contents[0].text  # type: ignore[union-attr]
