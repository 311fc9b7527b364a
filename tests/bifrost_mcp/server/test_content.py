"""The SDK's content types as MCP content blocks: standard base64, the MIME type, text or blob contents."""

from __future__ import annotations

import base64

import mcp_types as types
import pytest

from bifrost import Audio, File, Image
from bifrost_mcp.server.content import content_block, resource_contents

# bytes whose URL-safe and standard base64 differ ("-_" against "+/")
BYTES = b"\xfb\xff\xfe\x89PNG"


def test_an_image_is_an_image_block_in_standard_base64() -> None:
    block = content_block(Image(data=BYTES, mime_type="image/png"))
    assert isinstance(block, types.ImageContent)
    assert block.data == base64.b64encode(BYTES).decode() == "+//+iVBORw=="
    assert block.mime_type == "image/png"


def test_audio_is_an_audio_block() -> None:
    block = content_block(Audio(data=BYTES))
    assert isinstance(block, types.AudioContent)
    assert base64.b64decode(block.data) == BYTES
    assert block.mime_type == "audio/wav"


def test_a_text_file_is_embedded_as_text_at_its_uri() -> None:
    block = content_block(File(uri="test://embedded-resource", text="hello"))
    assert isinstance(block, types.EmbeddedResource)
    assert block.resource == types.TextResourceContents(
        uri="test://embedded-resource", mime_type="text/plain", text="hello"
    )


def test_a_binary_file_is_a_blob_and_may_be_read_at_another_uri() -> None:
    contents = resource_contents(File(uri="test://a", data=BYTES, mime_type="image/png"), "test://b")
    assert isinstance(contents, types.BlobResourceContents)
    assert contents.uri == "test://b"
    assert base64.b64decode(contents.blob) == BYTES


def test_a_file_holds_text_or_bytes_not_both_nor_neither() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        File(uri="test://a", text="x", data=b"x")
    with pytest.raises(ValueError, match="exactly one"):
        File(uri="test://a")
