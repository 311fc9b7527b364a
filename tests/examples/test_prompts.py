"""examples/prompts.py: its prompts listed per caller, rendered, and completed from examples/departments.py."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import mcp_types as types
import pytest
from mcp import Client

from bifrost_mcp.app import App
from tests.support.callers import ORG_A, member
from tests.support.mcp import ISOLATIONS, MODES, opened_app, server_for
from tests.support.workspace import EXAMPLES

DESIGNER = replace(member(ORG_A), roles=frozenset({"Designer"}))
TECHNICIAN = replace(member(ORG_A), roles=frozenset({"Technician"}))


@pytest.fixture(params=ISOLATIONS)
async def app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path, workspace=EXAMPLES, isolation=request.param) as application:
        yield application


@pytest.mark.parametrize("mode", MODES)
async def test_a_welcome_prompt_completes_its_department_and_renders_for_the_caller(app: App, mode: str) -> None:
    ref = types.PromptReference(name="welcome_new_hire")
    async with Client(server_for(app, member(ORG_A)).server, mode=mode) as client:
        listed = {p.name: p for p in (await client.list_prompts()).prompts}
        finance = await client.complete(ref, {"name": "department", "value": "Fi"})
        every = await client.complete(ref, {"name": "department", "value": ""})
        tone = await client.complete(ref, {"name": "tone", "value": ""})
        result = await client.get_prompt("welcome_new_hire", {"name": "Dana Lee", "department": "finance"})

    assert [(a.name, a.required) for a in listed["welcome_new_hire"].arguments or []] == [
        ("name", True),
        ("department", True),
        ("tone", False),
    ]
    assert finance.completion.values == ["finance"]
    assert every.completion.values == ["eng", "sales", "support", "finance"]
    assert tone.completion.values == []  # no options(...): nothing to complete
    assert [(m.role, m.content.text) for m in result.messages] == [  # type: ignore[union-attr]
        ("user", "Write a warm welcome message from Org A to Dana Lee, who joins finance. Under 120 words."),
        ("assistant", "Here is a draft:"),
    ]


@pytest.mark.parametrize("mode", MODES)
async def test_a_policy_review_embeds_the_document_and_designers_get_an_image(app: App, mode: str) -> None:
    async with Client(server_for(app, DESIGNER).server, mode=mode) as client:
        listed = {p.name for p in (await client.list_prompts()).prompts}
        review = await client.get_prompt("review_policy", {"policy": "leave"})
        swatch = await client.get_prompt("brand_check")

    assert {"review_policy", "brand_check", "welcome_new_hire", "agent_assistant"} <= listed
    document, ask = review.messages
    assert isinstance(document.content, types.EmbeddedResource)
    assert isinstance(document.content.resource, types.TextResourceContents)
    assert (document.content.resource.uri, document.content.resource.mime_type) == ("policy://leave", "text/markdown")
    assert document.content.resource.text.startswith("# Leave policy")
    assert isinstance(ask.content, types.TextContent) and ask.content.text.startswith("Review the policy above")
    image, question = swatch.messages
    assert isinstance(image.content, types.ImageContent) and image.content.mime_type == "image/png"
    assert base64.b64decode(image.content.data).startswith(b"\x89PNG")
    assert isinstance(question.content, types.TextContent)


async def test_who_sees_which_example_prompt(app: App) -> None:
    seen = {}
    for label, who in (("member", member(ORG_A)), ("designer", DESIGNER), ("technician", TECHNICIAN)):
        async with Client(server_for(app, who).server, mode="legacy") as client:
            seen[label] = sorted(p.name for p in (await client.list_prompts()).prompts)

    common = ["agent_assistant", "review_policy", "welcome_new_hire"]
    assert seen == {
        "member": common,
        "designer": sorted([*common, "brand_check"]),
        "technician": sorted([*common, "agent_helpdesk"]),
    }


async def test_the_helpdesk_agent_prompt_is_its_instructions_for_the_technician(app: App) -> None:
    async with Client(server_for(app, TECHNICIAN).server, mode="legacy") as client:
        result = await client.get_prompt("agent_helpdesk")

    [message] = result.messages
    assert isinstance(message.content, types.TextContent)
    assert message.content.text.startswith("You are the service desk of Org A, helping U. Triage every new ticket")
