"""The SDK's content types (bifrost.content) as MCP content blocks: tool results, prompt messages, resources."""

from __future__ import annotations

import base64

import mcp_types as types

from bifrost.content import Audio, File, Image

ContentBlock = types.ImageContent | types.AudioContent | types.EmbeddedResource


def resource_contents(item: File, uri: str | None = None) -> types.TextResourceContents | types.BlobResourceContents:
    """`item` as the contents of a resource read (or embedded), at `uri` (default: the file's own)."""
    at = uri or item.uri
    if item.text is not None:
        return types.TextResourceContents(uri=at, mime_type=item.mime_type, text=item.text)
    assert item.data is not None  # a File holds text or data (validated)
    return types.BlobResourceContents(uri=at, mime_type=item.mime_type, blob=_base64(item.data))


def content_block(item: Image | Audio | File) -> ContentBlock:
    """`item` as the MCP content block of its kind: image, audio, or an embedded resource."""
    if isinstance(item, Image):
        return types.ImageContent(data=_base64(item.data), mime_type=item.mime_type)
    if isinstance(item, Audio):
        return types.AudioContent(data=_base64(item.data), mime_type=item.mime_type)
    return types.EmbeddedResource(resource=resource_contents(item))


def _base64(data: bytes) -> str:
    # MCP carries standard base64 (RFC 4648 §4), not the URL-safe alphabet pydantic's JSON form uses
    return base64.b64encode(data).decode("ascii")
