"""GET /api/openapi.json: a valid OpenAPI 3.1 document of the endpoints the caller may call, from the same schemas."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from bifrost_mcp.server.openapi import openapi_document
from tests.support.endpoints import EndpointWorld, endpoint_world, endpoints_app

PUBLIC = {"status_page", "public_writer"}
EVERY_ENDPOINT = {
    "echo", "create_ticket", "close_ticket", "purge", "status_page", "public_writer", "refuses", "crashes",
    "hangs", "soft_fails", "next_number", "nightly_report",
}  # fmt: skip


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[EndpointWorld]:
    async with endpoints_app(tmp_path / "data") as app, endpoint_world(app) as opened:
        yield opened


async def document(world: EndpointWorld, headers: dict[str, str] | None = None) -> dict[str, Any]:
    async with world.client() as http:
        response = await http.get("/api/openapi.json", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def endpoint_names(doc: dict[str, Any]) -> set[str]:
    prefix = "/api/workflows/"
    return {path.removeprefix(prefix) for path in doc["paths"] if path.startswith(prefix)}


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        (None, PUBLIC),
        ("ada", EVERY_ENDPOINT - {"close_ticket", "purge"}),
        ("tech", EVERY_ENDPOINT - {"purge"}),
        ("acme_key", EVERY_ENDPOINT - {"close_ticket", "purge"}),
        ("owner", EVERY_ENDPOINT),
    ],
)
async def test_the_document_is_valid_openapi_3_1_listing_only_what_the_caller_may_call(
    world: EndpointWorld, who: str | None, visible: set[str]
) -> None:
    doc = await document(world, world.bearer(getattr(world, who)) if who else None)

    validate(doc, cls=OpenAPIV31SpecValidator)  # raises with the first problem it finds
    assert doc["openapi"] == "3.1.0"
    assert endpoint_names(doc) == visible
    operation_ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))


async def test_refused_credentials_get_no_document(world: EndpointWorld) -> None:
    async with world.client() as http:
        response = await http.get("/api/openapi.json", headers={"Authorization": "Bearer bft_nope"})
    assert (response.status_code, response.json()["error_description"]) == (401, "unknown token")


async def test_operations_follow_the_workflows_methods_schemas_and_modes(world: EndpointWorld) -> None:
    doc = await document(world, world.bearer(world.owner))
    paths = doc["paths"]

    assert set(paths["/api/workflows/echo"]) == {"get", "post", "put", "patch", "delete"}
    assert set(paths["/api/workflows/create_ticket"]) == {"post"}
    post = paths["/api/workflows/create_ticket"]["post"]
    arguments = post["requestBody"]["content"]["application/json"]["schema"]
    registry = world.app.registry
    assert arguments == registry.workflows["create_ticket"].signature.input_schema  # the MCP tool's own schema
    assert post["requestBody"]["required"] is True and post["summary"] == "create_ticket"

    query = {p["name"]: p for p in paths["/api/workflows/echo"]["get"]["parameters"]}
    assert (query["text"]["required"], query["times"]["required"]) == (True, False)
    assert query["tags"]["schema"]["anyOf"][0] == {"items": {"type": "string"}, "type": "array"}
    ticket_ref = query["ticket"]["content"]["application/json"]["schema"]["anyOf"][0]["$ref"]
    assert ticket_ref == "#/components/schemas/echo.arguments.Ticket"
    assert doc["components"]["schemas"]["echo.arguments.Ticket"]["required"] == ["subject"]

    assert "200" in post["responses"] and "202" not in post["responses"]
    queued = paths["/api/workflows/nightly_report"]["post"]["responses"]
    assert "202" in queued and "200" not in queued and "Location" in queued["202"]["headers"]
    assert paths["/api/workflows/status_page"]["get"]["security"][0] == {}  # anyone; credentials optional
    assert "security" not in post  # the document's: a token or a function key


@pytest.mark.parametrize(
    ("name", "method", "request_options"),
    [
        ("create_ticket", "POST", {"json": {"subject": "VPN", "priority": "high"}}),
        ("next_number", "GET", {"params": {"n": "1"}}),
        ("echo", "PUT", {"json": {"text": "a", "ticket": {"subject": "x"}}}),
    ],
)
async def test_answers_match_their_documented_response_schema(
    world: EndpointWorld, name: str, method: str, request_options: dict[str, Any]
) -> None:
    doc = await document(world, world.bearer(world.owner))
    async with world.client() as http:
        response = await http.request(method, f"/api/workflows/{name}", headers=world.bearer(world.owner),
                                      **request_options)  # fmt: skip
    schema = doc["paths"][f"/api/workflows/{name}"][method.lower()]["responses"]["200"]["content"]["application/json"]
    # the operation's schema as the root of a document holding the components its refs point into
    jsonschema.validate(response.json(), {**schema["schema"], "components": doc["components"]})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {**response.json(), "status": "Pending"}, {**schema["schema"], "components": doc["components"]}
        )


def test_defs_of_different_workflows_never_collide_and_names_are_kept_apart() -> None:
    from bifrost import workflow
    from bifrost_mcp.workspace.loader import registry_from_functions

    def make(name: str) -> Any:
        async def same(ticket: Any) -> None: ...

        return workflow(name=name, endpoint_enabled=True, execution_mode="sync")(same)

    registry = registry_from_functions([make("Close ticket"), make("close-ticket")])
    doc = openapi_document(sorted(registry.workflows.values(), key=lambda e: e.name), prefix="/bifrost")
    validate(doc, cls=OpenAPIV31SpecValidator)
    assert list(doc["paths"])[:2] == ["/api/workflows/Close%20ticket", "/api/workflows/close-ticket"]
    ids = [item["post"]["operationId"] for path, item in doc["paths"].items() if path.startswith("/api/workflows/")]
    assert ids == ["close_ticket_post", "close_ticket_2_post"]
    assert doc["servers"] == [{"url": "/bifrost"}]
