"""GET /api/openapi.json: an OpenAPI 3.1 document of the endpoints one caller may call, from the tools' schemas.

The argument and result schemas are the JSON Schemas the MCP tools publish (OpenAPI 3.1 takes JSON Schema
as is); each workflow's `$defs` move to components/schemas under the workflow's operation id, since a `$ref`
in an OpenAPI document resolves against the document, not the schema it sits in.
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import quote

from bifrost.enums import ExecutionStatus
from bifrost_mcp import __version__
from bifrost_mcp.server.endpoint_args import BODY_METHODS, query_kind
from bifrost_mcp.workspace import RegisteredWorkflow
from bifrost_mcp.workspace.registry import tool_name_for

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"functionKey": []}]
_ERROR = {"$ref": "#/components/schemas/Error"}
_FAILURES = {
    "400": "The request's arguments or credentials are malformed; `fields` names each argument at fault",
    "401": "Credentials are missing or refused (see WWW-Authenticate)",
    "404": "No such endpoint, or not one this caller may call",
    "405": "The workflow does not take this method (see Allow)",
    "422": "The workflow refused the request (it raised a UserError): error_description says why",
    "429": "Too many calls of public endpoints from this source (see Retry-After)",
    "500": "The workflow failed: error_description says why, execution_id names the run",
    "504": "The workflow ran out of time (its timeout_seconds)",
}


def openapi_document(endpoints: list[RegisteredWorkflow], *, prefix: str = "") -> dict[str, Any]:
    """The document for `endpoints` (those the caller may call), served under `prefix`."""
    schemas: dict[str, Any] = {"Error": _error_schema()}
    paths: dict[str, Any] = {}
    taken: set[str] = set()
    for entry in endpoints:
        base = _unique(tool_name_for(entry.name), taken)
        paths[f"/api/workflows/{quote(entry.name, safe='')}"] = {
            method.lower(): _operation(entry, method, base, schemas) for method in entry.spec.allowed_methods
        }
    paths["/api/executions/{execution_id}"] = {"get": _execution_operation()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "bifrost-mcp workflows",
            "version": __version__,
            "description": "The workflows published as HTTP endpoints that this caller may call.",
        },
        "servers": [{"url": prefix or "/"}],
        "security": SECURITY,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A personal token (bft_...)"},
                "functionKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Bifrost-Key",
                    "description": "A function key (bfk_...)",
                },
            },
        },
    }


def _operation(entry: RegisteredWorkflow, method: str, base: str, schemas: dict[str, Any]) -> dict[str, Any]:
    spec, signature = entry.spec, entry.signature
    namespace = f"{base}.arguments"
    arguments = _hoist(signature.input_schema, namespace, schemas)
    operation: dict[str, Any] = {
        "operationId": f"{base}_{method.lower()}",
        "summary": spec.name,
        "tags": [spec.category],
    }
    if spec.description:
        operation["description"] = spec.description
    if spec.public_endpoint:
        operation["security"] = [{}, *SECURITY]  # anyone; credentials, when sent, are used
    if method in BODY_METHODS:
        operation["requestBody"] = {
            "required": bool(arguments.get("required")),
            "content": {"application/json": {"schema": arguments}},
        }
    else:
        operation["parameters"] = _query_parameters(signature.input_schema, namespace)
    responses = {code: {"description": text, "content": {"application/json": {"schema": _ERROR}}}
                 for code, text in _FAILURES.items()}  # fmt: skip
    if spec.execution_mode == "sync":
        result = _hoist(_result_schema(entry), f"{base}.result", schemas)
        responses["200"] = {"description": "The run's result", "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["execution_id", "status", "result"],
            "properties": {
                "execution_id": {"type": "string"},
                "status": {"enum": [ExecutionStatus.COMPLETED.value, ExecutionStatus.COMPLETED_WITH_ERRORS.value]},
                "result": result,
            },
        }}}}  # fmt: skip
    else:
        responses["202"] = {
            "description": "The run is queued: poll the Location header's /api/executions/{execution_id}",
            "headers": {"Location": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["execution_id", "status"],
                "properties": {"execution_id": {"type": "string"}, "status": {"const": "Pending"}},
            }}},
        }  # fmt: skip
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _query_parameters(schema: dict[str, Any], namespace: str) -> list[dict[str, Any]]:
    """One query parameter per argument; its `$defs` are in components/schemas under `namespace` already."""
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        hoisted = copy.deepcopy(prop)
        _refs_to_components(hoisted, namespace)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
        if isinstance(prop, dict) and prop.get("description"):
            parameter["description"] = prop["description"]
        if query_kind(prop, schema.get("$defs", {})) == "json":
            parameter["content"] = {"application/json": {"schema": hoisted}}
        else:
            parameter["schema"] = hoisted
        parameters.append(parameter)
    return parameters


def _result_schema(entry: RegisteredWorkflow) -> dict[str, Any]:
    output = entry.signature.output_schema
    if output is None:
        return {}
    if entry.signature.wraps_output:  # the endpoint answers the value itself, not {"result": value}
        return {**output["properties"]["result"], **({"$defs": output["$defs"]} if "$defs" in output else {})}
    return output


def _hoist(schema: dict[str, Any], namespace: str, schemas: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its `$defs` moved to components/schemas as `<namespace>.<name>`, and its refs pointed there."""
    schema = copy.deepcopy(schema)
    for name, definition in schema.pop("$defs", {}).items():
        _refs_to_components(definition, namespace)
        schemas[_component(namespace, name)] = definition
    _refs_to_components(schema, namespace)
    return schema


def _refs_to_components(value: Any, namespace: str) -> None:
    """Point every `#/$defs/<name>` ref inside `value` at its component, in place."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            value["$ref"] = "#/components/schemas/" + _component(namespace, ref.removeprefix("#/$defs/"))
        for item in value.values():
            _refs_to_components(item, namespace)
    elif isinstance(value, list):
        for item in value:
            _refs_to_components(item, namespace)


def _component(namespace: str, name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"{namespace}.{name}")


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    taken.add(candidate)
    return candidate


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error", "error_description"],
        "properties": {
            "error": {"type": "string"},
            "error_description": {"type": "string"},
            "execution_id": {"type": "string", "description": "The run that failed, when one ran"},
            "status": {"type": "string"},
            "fields": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": "string"}, "message": {"type": "string"}}}},
        },
    }  # fmt: skip


def _execution_operation() -> dict[str, Any]:
    return {
        "operationId": "get_execution",
        "summary": "One run's record: status, result or error, logs",
        "parameters": [{"name": "execution_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": {"description": "The record", "content": {"application/json": {"schema": {"type": "object"}}}},
            "404": {"description": "No such run, or another caller's",
                    "content": {"application/json": {"schema": _ERROR}}},
        },
    }  # fmt: skip
