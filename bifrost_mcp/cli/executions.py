"""executions: the history of workflow runs, newest first, and one run with its logs."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, emit, fail, open_host, run, table
from bifrost_mcp.executions.records import ExecutionRecord

# Without a subcommand the group lists: `bifrost-mcp executions` is the history itself.
executions = typer.Typer(
    name="executions", help="Execution history.", invoke_without_command=True, no_args_is_help=False
)


@executions.callback()
def list_(
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
                    [[r.id, r.workflow_name, r.status.value, r.trigger or "-",
                      r.started_at.isoformat(timespec="seconds"), str(r.duration_ms)] for r in records],
                    ["ID", "WORKFLOW", "STATUS", "TRIGGER", "STARTED", "MS"],
                ),
            )  # fmt: skip

    run(body)


@executions.command("show")
def show(execution_id: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """One execution with its logs."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            record = await host.executions.get(execution_id)
            if record is None:
                fail(f"no execution {execution_id!r}; see `bifrost-mcp executions`")
            record.logs = await host.executions.logs(record.id, 0, 10_000)
            emit(record.public(with_logs=True), as_json, lambda: _execution_text(record, True))

    run(body)


@executions.command("cancel")
def cancel(execution_id: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Cancel a queued (async) run: at once if it has not started, else by the server running it."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            outcome = await host.queue.cancel(execution_id)
            if outcome is None:
                record = await host.executions.get(execution_id)
                if record is None:
                    fail(f"no execution {execution_id!r}; see `bifrost-mcp executions`")
                fail(
                    f"execution {execution_id} is {record.status.value}: only a queued (async) run that has not "
                    "finished can be cancelled here (a synchronous call is cancelled by the client that made it)"
                )
            seconds = host.settings.queue_poll_seconds
            if outcome == "cancelled":
                text = f"cancelled {execution_id}: it had not started"
            else:
                text = f"cancel requested for {execution_id}: the server running it stops it within about {seconds:g} s"
            emit({"execution_id": execution_id, "cancel": outcome}, as_json, text)

    run(body)


def _execution_text(record: ExecutionRecord, with_logs: bool) -> str:
    lines = [
        f"execution {record.id}",
        f"  workflow:  {record.workflow_name}",
        f"  status:    {record.status.value}",
        f"  trigger:   {record.trigger or 'not recorded'}",
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
