"""The harness's tools-call-image/audio/embedded-resource/mixed-content fixtures: results that are content."""

import json

from media import PNG, WAV

from bifrost import Audio, File, Image, workflow


@workflow(is_tool=True)
async def test_image_content() -> Image:
    """Returns an image (a 1x1 red PNG)."""
    return Image(data=PNG, mime_type="image/png")


@workflow(is_tool=True)
async def test_audio_content() -> Audio:
    """Returns a short WAV tone."""
    return Audio(data=WAV, mime_type="audio/wav")


@workflow(is_tool=True)
async def test_embedded_resource() -> File:
    """Returns an embedded text resource."""
    return File(uri="test://embedded-resource", mime_type="text/plain", text="This is an embedded resource content.")


@workflow(is_tool=True)
async def test_multiple_content_types() -> list[str | Image | File]:
    """Returns text, an image and an embedded JSON resource, in that order."""
    return [
        "Multiple content types test:",
        Image(data=PNG, mime_type="image/png"),
        File(
            uri="test://mixed-content-resource",
            mime_type="application/json",
            text=json.dumps({"test": "data", "value": 123}),
        ),
    ]
