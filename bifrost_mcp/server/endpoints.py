"""HTTP endpoints: each `endpoint_enabled` workflow at /api/workflows/<name>, and GET /api/openapi.json.

A call runs through `App.run` as its caller (trigger "endpoint"), like an MCP tools/call, and answers:
- sync: 200 {"execution_id", "status", "result"}; status "CompletedWithErrors" (the workflow returned
  {"success": false, ...}) is a 200 too: the run completed and its result says what went wrong;
- async: 202 {"execution_id", "status": "Pending"} with Location: /api/executions/<id> (once the queue exists);
- a failure: {"error", "error_description" (the message and execution id), "execution_id", "status"} with
  422 when the workflow refused with a UserError (its message is for the caller), 504 for its timeout, else 500.
Refused before any run: 400 (arguments, each field named; or an ambiguous credential), 401 with
WWW-Authenticate (credentials missing or refused), 404 (unknown, or hidden from this caller: the same
answer), 405 with Allow, 429 with Retry-After (public endpoints, per source address).
A public endpoint called without credentials runs as the anonymous principal (GLOBAL scope, no admin rights);
with credentials, as their caller.

An async call's Location, GET /api/executions/{id} (`server.chat_api`), is read with `Authorization: Bearer`
and either credential (a function key is a bearer token too), like every API beside /mcp.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bifrost.enums import ExecutionStatus
from bifrost_mcp.access import can_call_endpoint
from bifrost_mcp.app import App
from bifrost_mcp.caller import ANONYMOUS, Caller
from bifrost_mcp.errors import AuthenticationError
from bifrost_mcp.runner.errors import InvalidArguments
from bifrost_mcp.runner.rendering import failure_text
from bifrost_mcp.runner.runner import RunOutcome
from bifrost_mcp.server.api import error
from bifrost_mcp.server.auth import challenge, oauth_error
from bifrost_mcp.server.endpoint_args import BadArguments, arguments_of, problem_fields
from bifrost_mcp.server.endpoint_auth import HOW_TO_AUTHENTICATE, endpoint_caller
from bifrost_mcp.server.openapi import openapi_document
from bifrost_mcp.server.rate_limits import SourceLimits
from bifrost_mcp.workspace import RegisteredWorkflow

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def endpoint_routes(app: App, *, prefix: str = "", resource_metadata_url: str | None = None) -> list[BaseRoute]:
    limits = SourceLimits(app.host.settings.rate_limits())

    def refuse(status: int, description: str) -> JSONResponse:
        code = oauth_error(status)
        response = error(status, code, description)
        response.headers["WWW-Authenticate"] = challenge(code, description, resource_metadata_url)
        return response

    async def caller_of(request: Request) -> Caller | None:
        return await endpoint_caller(app.host.callers, request.scope.get("headers") or [])

    async def call(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            caller = await caller_of(request)
        except AuthenticationError as exc:
            return refuse(exc.status, exc.reason)
        if caller is None:
            public = app.registry.workflows.get(name)
            if public is None or not can_call_endpoint(ANONYMOUS, public.spec):  # unknown and private alike
                return refuse(401, f"missing credentials: {HOW_TO_AUTHENTICATE}")
            caller = ANONYMOUS
        entry = app.find_endpoint(caller, name)
        if entry is None:
            return error(404, "not_found", f"no endpoint named {name!r}; GET /api/openapi.json lists yours")
        if request.method not in entry.spec.allowed_methods:
            allowed = ", ".join(entry.spec.allowed_methods)
            response = error(405, "method_not_allowed", f"{name!r} takes {allowed}, not {request.method}")
            response.headers["Allow"] = allowed
            return response
        if caller.is_anonymous:
            wait = limits.retry_after(request.client.host if request.client else "unknown")
            if wait is not None:
                response = error(429, "rate_limited", f"too many calls of public endpoints; retry in {wait} s")
                response.headers["Retry-After"] = str(wait)
                return response
        try:
            arguments = await arguments_of(request, entry)
        except BadArguments as exc:
            return invalid(exc.description, exc.fields)
        if entry.spec.execution_mode == "async":
            return await _start_async(app, entry, arguments, caller, prefix)
        return answer(await app.run(entry, arguments, caller, trigger="endpoint"))

    async def document(request: Request) -> Response:
        try:
            caller = await caller_of(request) or ANONYMOUS
        except AuthenticationError as exc:
            return refuse(exc.status, exc.reason)
        return JSONResponse(openapi_document(app.visible_endpoints(caller), prefix=prefix))

    return [
        Route(f"{prefix}/api/openapi.json", document, methods=["GET"]),
        Route(f"{prefix}/api/workflows/{{name:path}}", call, methods=METHODS),
    ]


async def _start_async(
    app: App, entry: RegisteredWorkflow, arguments: dict[str, object], caller: Caller, prefix: str
) -> Response:
    """Queue the run (its Pending record committed) and answer 202 with where to read it once it is done."""
    try:
        record = await app.submit(entry, arguments, caller, trigger="endpoint")
    except InvalidArguments as exc:  # checked by a worker: the host holds only the workflow's schemas
        return invalid(str(exc), problem_fields(exc.problems))
    body = {"execution_id": record.id, "status": record.status.value}
    return JSONResponse(body, status_code=202, headers={"Location": f"{prefix}/api/executions/{record.id}"})


def invalid(description: str, fields: list[dict[str, str]], head: dict[str, str] | None = None) -> Response:
    body = {"error": "invalid_arguments", "error_description": description, "fields": fields, **(head or {})}
    return JSONResponse(body, status_code=400)


# The status of a failed run: the workflow refused (UserError), ran out of time, or failed.
_FAILURES = {ExecutionStatus.TIMEOUT: (504, "timeout")}


def answer(outcome: RunOutcome) -> Response:
    """The response to a sync call: the result (encoded once, as its record stores it) or the failure."""
    record = outcome.record
    head = {"execution_id": record.id, "status": record.status.value}
    if outcome.message is None:
        result = record.result_json[1] if record.result_json is not None else "null"
        text = json.dumps(head)[:-1] + f', "result": {result}}}'
        return Response(text, media_type="application/json")
    if outcome.invalid is not None:  # refused by the run's worker, which alone holds the workflow's types
        return invalid(failure_text(outcome), problem_fields(outcome.invalid), head)
    status, code = (422, "workflow_refused") if outcome.user_error else _FAILURES.get(record.status, (500, "failed"))
    return JSONResponse({"error": code, "error_description": failure_text(outcome), **head}, status_code=status)
