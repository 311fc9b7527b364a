"""A call's arguments from an HTTP request: the JSON body (POST, PUT, PATCH) or the query string (GET, DELETE).

Query values are text, which the workflow's own arguments model converts ("3" to an int, "true" to a bool);
an array argument is its key repeated (`?tag=a&tag=b`), an object argument is JSON text. The arguments are
then validated by the same model that validates an MCP tools/call, and each problem names its field.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from starlette.requests import Request

from bifrost_mcp.runner.errors import invalid_arguments
from bifrost_mcp.runner.runner import check_arguments
from bifrost_mcp.workspace import RegisteredWorkflow

BODY_METHODS = ("POST", "PUT", "PATCH")
QueryKind = Literal["scalar", "list", "json"]


class BadArguments(Exception):
    """The request's arguments cannot be used; `fields` names each argument at fault, with what to fix."""

    def __init__(self, description: str, fields: list[dict[str, str]] | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.fields = fields or []


async def arguments_of(request: Request, entry: RegisteredWorkflow) -> dict[str, Any]:
    """The validated call's arguments, as sent (the runner validates them again into the workflow's types)."""
    method = request.method
    body = await request.body()
    if method in BODY_METHODS:
        if request.url.query:
            raise BadArguments(f"{method} takes its arguments as a JSON object in the body; drop the query string")
        arguments = _json_object(body)
    else:
        if body.strip():
            raise BadArguments(f"{method} takes its arguments in the query string; send no body")
        arguments = _from_query(request, entry)
    problems = check_arguments(entry, arguments)  # None: only the workers hold its types; the run's worker checks
    if problems:
        raise BadArguments(invalid_arguments(entry.name, problems), problem_fields(problems))
    return arguments


def problem_fields(problems: list[str]) -> list[dict[str, str]]:
    """Each validation problem ("field: what is wrong") as {"field", "message"}."""
    return [dict(zip(("field", "message"), problem.split(": ", 1), strict=True)) for problem in problems]


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise BadArguments(f"the body is not JSON ({exc}): send the arguments as a JSON object") from None
    if not isinstance(value, dict):
        raise BadArguments(f"the body is a JSON {type(value).__name__}: send the arguments as a JSON object")
    return value


def _from_query(request: Request, entry: RegisteredWorkflow) -> dict[str, Any]:
    schema = entry.signature.input_schema
    properties: dict[str, Any] = schema.get("properties", {})
    arguments: dict[str, Any] = {}
    for name in dict.fromkeys(request.query_params.keys()):
        values = request.query_params.getlist(name)
        kind = query_kind(properties.get(name, {}), schema.get("$defs", {}))
        if kind == "list":
            arguments[name] = values
            continue
        if len(values) > 1:
            raise BadArguments(f"{name}: send it once; it is not a list", [{"field": name, "message": "send it once"}])
        if kind == "json":
            try:
                arguments[name] = json.loads(values[0])
            except ValueError:
                message = "send this object as JSON text (URL-encoded) in the query string"
                raise BadArguments(f"{name}: {message}", [{"field": name, "message": message}]) from None
        else:
            arguments[name] = values[0]
    return arguments


def query_kind(prop: dict[str, Any], defs: dict[str, Any]) -> QueryKind:
    """How an argument travels in a query string: as text, as a repeated key (array) or as JSON (object)."""
    options = prop.get("anyOf") or prop.get("oneOf") or [prop]
    kinds: set[str] = set()
    for option in options:
        if "$ref" in option:
            option = defs.get(str(option["$ref"]).rsplit("/", 1)[-1], {})
        kinds.add("list" if option.get("type") == "array" else "json" if option.get("type") == "object" else "scalar")
    return "list" if "list" in kinds else "json" if "json" in kinds else "scalar"
