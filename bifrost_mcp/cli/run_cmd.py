"""serve, tools, run, executions, token reset."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from bifrost.enums import ExecutionStatus
from bifrost_mcp import logs
from bifrost_mcp.app import App
from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, OrgOpt, WorkspaceOpt, emit, fail, open_host, run, table
from bifrost_mcp.errors import AuthenticationError
from bifrost_mcp.executions.records import ExecutionRecord
from bifrost_mcp.server.tools import tool_definitions
from bifrost_mcp.settings import HostSettings

TokenOpt = Annotated[
    str | None, typer.Option("--token", envvar="BIFROST_TOKEN", help="Act as this token's user (default: owner).")
]


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


def _execution_text(record: ExecutionRecord, with_logs: bool) -> str:
    lines = [
        f"execution {record.id}",
        f"  workflow:  {record.workflow_name}",
        f"  status:    {record.status.value}",
        f"  by:        {record.executed_by_email or record.executed_by} (scope {record.scope})",
        f"  started:   {record.started_at.isoformat()}",
        f"  duration:  {record.duration_ms} ms",
    ]
    if record.error_message:
        lines.append(f"  error:     {record.error_message}")
    if record.result is not None:
        lines.append(f"  result:    {json.dumps(record.result, default=str)}")
    if with_logs:
        lines.append("  logs:")
        lines += [f"    {e.seq:>4} {e.timestamp} {e.level:<8} {e.message}" for e in record.logs] or ["    (none)"]
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        workspace: WorkspaceOpt = None,
        data_dir: DataDirOpt = None,
        http: Annotated[bool, typer.Option("--http", help="Serve streamable HTTP instead of stdio.")] = False,
        host: Annotated[str, typer.Option(help="HTTP bind address.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="HTTP port.")] = 8000,
        prefix: Annotated[str, typer.Option(help="Mount path prefix for HTTP (behind a proxy).")] = "",
        token: TokenOpt = None,
        org: OrgOpt = None,
        chroma_url: Annotated[str | None, typer.Option("--chroma-url", envvar="BIFROST_CHROMA_URL")] = None,
    ) -> None:
        """Serve the workspace's tools over MCP (stdio by default, --http for streamable HTTP)."""
        from bifrost_mcp.cli.serve import serve as serve_async

        logs.configure()
        settings = HostSettings.from_env(data_dir=data_dir, workspace=workspace, chroma_url=chroma_url)
        if settings.workspace is None:
            fail("no workspace: pass --workspace DIR or set BIFROST_WORKSPACE")

        async def body() -> None:
            try:
                await serve_async(settings, http=http, host=host, port=port, token=token, org=org, prefix=prefix)
            except AuthenticationError as exc:
                fail(exc.reason)

        run(body)

    @app.command()
    def tools(workspace: WorkspaceOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
        """The tools an MCP client would see (as the owner): name, description, inputSchema."""

        async def body() -> None:
            async with App.opened(HostSettings.from_env(data_dir=data_dir, workspace=workspace)) as application:
                caller = await application.host.callers.owner()
                definitions = tool_definitions(application.registry)
                visible = [definitions[e.tool_name] for e in application.visible_tools(caller) if e.tool_name]
                for error in application.registry.errors:
                    typer.echo(f"workspace error: {error}", err=True)
                data = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in visible]
                emit(
                    data,
                    as_json,
                    lambda: table([[t.name, t.description or ""] for t in visible], ["TOOL", "DESCRIPTION"]),
                )

        run(body)

    @app.command(name="run")
    def run_workflow(
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
                try:
                    callers = application.host.callers
                    caller = await callers.for_token(token) if token else await callers.owner()
                    caller = await application.host.callers.acting_in(caller, org)
                except AuthenticationError as exc:
                    fail(exc.reason)
                entry = application.find_workflow(caller, name)
                if entry is None:
                    known = ", ".join(sorted(application.registry.workflows)) or "(none)"
                    fail(f"no workflow named {name!r}; known: {known}")
                properties = entry.signature.input_schema.get("properties", {})
                outcome = await application.run(entry, parse_arguments(arg or [], args_json, properties), caller)
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

    executions_app = typer.Typer(help="Execution history.", invoke_without_command=True, no_args_is_help=False)
    app.add_typer(executions_app, name="executions")

    @executions_app.callback()
    def executions_list(
        ctx: typer.Context,
        data_dir: DataDirOpt = None,
        limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
        as_json: JsonOpt = False,
    ) -> None:
        """List executions, newest first."""
        if ctx.invoked_subcommand is not None:
            return

        async def body() -> None:
            async with open_host(data_dir) as host:
                records = await host.executions.query(limit=limit)
                emit(
                    [r.public() for r in records],
                    as_json,
                    lambda: table(
                        [[r.id, r.workflow_name, r.status.value, r.started_at.isoformat(timespec="seconds"),
                          str(r.duration_ms)] for r in records],
                        ["ID", "WORKFLOW", "STATUS", "STARTED", "MS"],
                    ),
                )  # fmt: skip

        run(body)

    @executions_app.command("show")
    def executions_show(execution_id: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
        """One execution with its logs."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                record = await host.executions.get(execution_id)
                if record is None:
                    fail(f"no execution {execution_id!r}; see `bifrost-mcp executions`")
                record.logs = await host.executions.logs(record.id, 0, 10_000)
                emit(record.public(with_logs=True), as_json, lambda: _execution_text(record, True))

        run(body)

    token_app = typer.Typer(help="The local owner's token.", no_args_is_help=True)
    app.add_typer(token_app, name="token")

    @token_app.command("reset")
    def token_reset(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
        """Revoke the owner's tokens and print a new one (shown once)."""

        async def body() -> None:
            async with open_host(data_dir) as host:
                issued = await host.credentials.reset_owner_token()
                emit({"token": issued.token}, as_json, issued.token)

        run(body)
