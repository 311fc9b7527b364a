"""The harness's resources-* fixtures: text, binary, a template, and a resource to subscribe to."""

import json

from media import PNG

from bifrost import resource


@resource("test://static-text", mime_type="text/plain")
async def static_text() -> str:
    """A static text resource."""
    return "This is the content of the static text resource."


@resource("test://static-binary", mime_type="image/png")
async def static_binary() -> bytes:
    """A static binary resource (a PNG)."""
    return PNG


@resource("test://template/{id}/data", mime_type="application/json")
async def template_data(id: str) -> str:
    """Data for one id, from a resource template."""
    return json.dumps({"id": id, "templateTest": True, "data": f"Data for ID: {id}"})


@resource("test://watched-resource", mime_type="text/plain")
async def watched_resource() -> str:
    """A resource clients subscribe to."""
    return "Watched resource content."
