"""The official MCP Inspector CLI (2.12) against `serve --http` of examples/: prompts, completions, image results.

The Inspector is the tool people point at a server first; what it shows of the examples is what they see.
It is installed with the conformance harness (`make conformance-tools`, which make test runs). Completions go
through its connection CLI, `mcpdo`: the one-shot `--cli` does not offer them.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.support.node_tools import inspect, mcpdo_connection
from tests.support.served import served_http
from tests.support.workspace import EXAMPLES

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


async def test_the_inspector_cli_shows_the_examples_prompts_completions_and_image_results(tmp_path: Path) -> None:
    async with served_http(EXAMPLES, tmp_path / "data", tmp_path) as served:
        prompts = (await inspect(served.url, served.token, "prompts/list"))["result"]["prompts"]
        welcome = (
            await inspect(
                served.url, served.token, "prompts/get", "--prompt-name", "welcome_new_hire",
                "--prompt-args", "name=Dana Lee", "department=finance",
            )
        )["result"]  # fmt: skip
        async with mcpdo_connection(served.url, served.token, tmp_path / "home") as request:
            completed = await request(
                "prompts/complete", "--complete-ref-type", "ref/prompt", "--complete-ref", "welcome_new_hire",
                "--complete-arg-name", "department", "--complete-arg-value", "FI",
            )  # fmt: skip
        chart = (await inspect(served.url, served.token, "tools/call", "--tool-name", "ticket_chart"))["result"]
        strict = await inspect(served.url, served.token, "tools/list", "--strict")

    by_name = {p["name"]: p for p in prompts}
    assert {"welcome_new_hire", "review_policy", "agent_helpdesk"} <= set(by_name)
    assert [a["name"] for a in by_name["welcome_new_hire"]["arguments"]] == ["name", "department", "tone"]
    assert "Dana Lee" in welcome["messages"][0]["content"]["text"]
    assert "finance" in welcome["messages"][0]["content"]["text"]
    assert completed["values"] == ["finance"]
    text, image = chart["content"]
    assert text["type"] == "text"
    assert text["text"].startswith("Tickets per day")
    assert image["type"] == "image"
    assert image["mimeType"] == "image/png"
    assert base64.b64decode(image["data"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert "ticket_chart" in {tool["name"] for tool in strict["result"]["tools"]}
