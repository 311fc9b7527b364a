"""Rich tool results: images, audio, files and mixtures as MCP content blocks; large content kept by reference."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from bifrost import Image, workflow
from bifrost_mcp.runner.rendering import outcome_text
from tests.support.callers import ORG_A, member
from tests.support.mcp import ISOLATIONS, MODES, connected, execution_id_of, opened_app, server_for
from tests.support.workspace import workspace_modules_dropped, write_files

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
WAV = (  # a WAV header of no samples: 8 kHz, mono, 16 bits
    b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00\x00\x02\x00\x10\x00"
    b"data\x00\x00\x00\x00"
)
BIG = bytes(range(256)) * 8192  # 2 MiB

TOOLS = f"""
from bifrost import Audio, File, Image, workflow

PNG, WAV, BIG = {PNG!r}, {WAV!r}, bytes(range(256)) * 8192


@workflow(is_tool=True)
def test_image_content() -> Image:
    return Image(data=PNG, mime_type="image/png")


@workflow(is_tool=True)
def test_audio_content():
    return Audio(data=WAV, mime_type="audio/wav")


@workflow(is_tool=True)
def test_embedded_resource() -> File:
    return File(uri="test://embedded-resource", text="This is an embedded resource content.")


@workflow(is_tool=True)
def test_multiple_content_types() -> list[str | Image | File]:
    return [
        "Multiple content types test:",
        Image(data=PNG),
        File(uri="test://mixed-content-resource", mime_type="application/json", text='{{"test":"data","value":123}}'),
    ]


@workflow(is_tool=True)
def big_chart() -> Image:
    return Image(data=BIG)
"""


@pytest.mark.parametrize("isolation", ISOLATIONS)
@pytest.mark.parametrize("mode", MODES)
async def test_content_results_become_content_blocks(tmp_path: Path, isolation: str, mode: str) -> None:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        root.mkdir()
        write_files(root, {"tools.py": TOOLS})
        async with (
            opened_app(tmp_path / "data", workspace=root, isolation=isolation, workers=1) as app,
            connected(app, mode) as client,
        ):
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            assert tools["test_image_content"].output_schema is None  # no schema of the JSON form
            assert tools["test_multiple_content_types"].output_schema is None

            image = await client.call_tool("test_image_content", {})
            [block] = image.content
            assert isinstance(block, types.ImageContent) and block.mime_type == "image/png"
            assert base64.b64decode(block.data) == PNG and image.structured_content is None

            [audio] = (await client.call_tool("test_audio_content", {})).content
            assert isinstance(audio, types.AudioContent) and base64.b64decode(audio.data) == WAV

            [embedded] = (await client.call_tool("test_embedded_resource", {})).content
            assert isinstance(embedded, types.EmbeddedResource)
            assert isinstance(embedded.resource, types.TextResourceContents)
            assert embedded.resource.uri == "test://embedded-resource"
            assert embedded.resource.text == "This is an embedded resource content."

            mixed = (await client.call_tool("test_multiple_content_types", {})).content
            assert [block.type for block in mixed] == ["text", "image", "resource"]
            assert isinstance(mixed[2], types.EmbeddedResource)
            assert json.loads(mixed[2].resource.text) == {"test": "data", "value": 123}  # type: ignore[union-attr]


async def test_a_large_image_is_kept_beside_its_record_and_read_back_by_its_owner_only(tmp_path: Path) -> None:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        root.mkdir()
        write_files(root, {"tools.py": TOOLS})
        async with opened_app(tmp_path / "data", workspace=root) as app:
            owner = await app.host.callers.owner()
            async with connected(app, "legacy") as client:
                result = await client.call_tool("big_chart", {})
                [block] = result.content
                assert isinstance(block, types.ImageContent) and base64.b64decode(block.data) == BIG
                execution_id = execution_id_of(result)
                record = await app.host.executions.get(execution_id)
                assert record is not None and record.scope == owner.scope
                uri = f"bifrost://executions/{execution_id}/content/0"
                assert record.result == {
                    "bifrost_content_ref": "image",
                    "mime_type": "image/png",
                    "size": len(BIG),
                    "sha256": hashlib.sha256(BIG).hexdigest(),
                    "uri": uri,
                }
                assert len(json.dumps(record.result)) < 1024  # the record keeps a reference, not 2 MiB
                [kept] = (await client.read_resource(uri)).contents
                assert isinstance(kept, types.BlobResourceContents) and kept.mime_type == "image/png"
                assert base64.b64decode(kept.blob) == BIG
                small = await client.call_tool("test_image_content", {})
                small_record = await app.host.executions.get(execution_id_of(small))
                assert small_record is not None and small_record.result["bifrost_content"] == "image"  # inline
            async with Client(server_for(app, member(ORG_A)).server, mode="legacy") as other:
                with pytest.raises(MCPError) as hidden:
                    await other.read_resource(uri)
                assert hidden.value.error.code == -32002


@workflow
def chart() -> list[str | Image]:
    return ["Tickets", Image(data=PNG)]


async def test_a_model_reads_what_the_content_is_not_its_base64(tmp_path: Path) -> None:
    async with opened_app(tmp_path, functions=[chart]) as app:
        owner = await app.host.callers.owner()
        outcome = await app.run(app.registry.workflows["chart"], {}, owner)
        text, is_error = outcome_text(outcome)
        assert (text, is_error) == (f"Tickets\n[image/png, {len(PNG):,} bytes]", False)
