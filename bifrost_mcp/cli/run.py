"""run: one workflow through the runner, from the command line, recorded like any MCP call."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, OrgOpt, TokenOpt, WorkspaceOpt, emit, fail, run
from bifrost_mcp.settings import HostSettings


def convert_arg(raw: str, schema: dict[str, Any]) -> Any:
    """A --arg value converted by its property schema (integer, number, boolean, array, object, string)."""
    kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", []) if isinstance(s, dict)}
    if raw == "null" and "null" in kinds:  # before the string case: `str | None` must be able to get None
        return None
    if "string" in kinds and not kinds & {"integer", "number", "boolean", "array", "object"}:
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw  # let schema validation say what is wrong with it


def parse_arguments(pairs: list[str], args_json: str | None, properties: dict[str, Any]) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    if args_json:
        try:
            loaded = json.loads(args_json)
        except json.JSONDecodeError as exc:
            fail(f"--args-json is not valid JSON: {exc}")
        if not isinstance(loaded, dict):
            fail("--args-json must be a JSON object")
        arguments.update(loaded)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--arg takes key=value, got {pair!r}")
        arguments[key] = convert_arg(value, properties.get(key, {}))
    return arguments


def run_(
    name: Annotated[str, typer.Argument(help="Workflow name or tool name.")],
    arg: Annotated[list[str] | None, typer.Option("--arg", help="key=value (repeatable).")] = None,
    args_json: Annotated[str | None, typer.Option("--args-json", help="All arguments as a JSON object.")] = None,
    workspace: WorkspaceOpt = None,
    data_dir: DataDirOpt = None,
    token: TokenOpt = None,
    org: OrgOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a workflow through the runner (recorded like any call); exit 1 on failure."""

    async def body() -> int:
        async with App.opened(HostSettings.from_env(data_dir=data_dir, workspace=workspace)) as application:
            caller = await application.host.callers.resolve(token, org)  # a refusal: one line, exit 1
            entry = application.find_workflow(caller, name)
            if entry is None:
                known = ", ".join(sorted(application.registry.workflows)) or "(none)"
                fail(f"no workflow named {name!r}; known: {known}")
            properties = entry.signature.input_schema.get("properties", {})
            outcome = await application.run(
                entry, parse_arguments(arg or [], args_json, properties), caller, trigger="cli"
            )
            payload = {
                "execution_id": outcome.execution_id,
                "status": outcome.record.status.value,
                "result": outcome.value,
                "error": outcome.message,
            }
            if outcome.message is not None:
                if as_json:
                    emit(payload, True, "")
                typer.echo(f"error: {outcome.message} (execution {outcome.execution_id})", err=True)
                return 1
            emit(payload, as_json, lambda: json.dumps(outcome.value, indent=2, default=str))
            if outcome.record.status is ExecutionStatus.COMPLETED_WITH_ERRORS:
                # {"success": False}: the workflow reports a failure (isError over MCP), so the exit code does too
                reported = outcome.record.error_message or "the workflow reported success: false"
                typer.echo(f"error: {reported} (execution {outcome.execution_id})", err=True)
                return 1
            return 0

    code = run(body)
    if code:
        raise typer.Exit(code)
