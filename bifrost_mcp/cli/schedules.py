"""schedules: each scheduled workflow with its expression, next and last run; pause and resume one.

The rows are those of the serving hosts (`serve` registers the workspace's schedules and keeps them in step
on reload); pausing one here is seen by every host of the data dir on its next look at the table.
"""

from __future__ import annotations

from datetime import datetime

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, emit, open_host, run, table
from bifrost_mcp.clock import SYSTEM_CLOCK
from bifrost_mcp.schedules.records import ScheduleState

# Without a subcommand the group lists: `bifrost-mcp schedules` is the list itself.
schedules = typer.Typer(
    name="schedules",
    help="Cron schedules of the workspace's workflows: list, pause, resume.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@schedules.callback()
def list_(ctx: typer.Context, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """List the schedules: expression, next run (UTC), last run and its status."""
    if ctx.invoked_subcommand is not None:
        return

    async def body() -> None:
        async with open_host(data_dir) as host:
            states = await host.schedules.list()
            now = SYSTEM_CLOCK.now()
            emit(
                [_public(state, now) for state in states],
                as_json,
                lambda: table(
                    [[s.name, s.expression, s.status(now), "-" if s.paused else _time(s.next_due),
                      _time(s.last_started), s.last_status or "-", s.last_run_id or "-"] for s in states],
                    ["WORKFLOW", "SCHEDULE", "STATUS", "NEXT RUN (UTC)", "LAST RUN (UTC)", "LAST STATUS", "LAST ID"],
                ),
            )  # fmt: skip

    run(body)


@schedules.command("pause")
def pause(name: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Stop running NAME on its schedule (a run in flight finishes) until `schedules resume NAME`."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            state = await host.schedules.pause(name, SYSTEM_CLOCK.now())
            emit(_public(state, SYSTEM_CLOCK.now()), as_json, f"paused schedule {name!r} ({state.expression})")

    run(body)


@schedules.command("resume")
def resume(name: str, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Run NAME on its schedule again, from its next due time (the ones passed while paused are not made up)."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            state = await host.schedules.resume(name, SYSTEM_CLOCK.now())
            emit(
                _public(state, SYSTEM_CLOCK.now()),
                as_json,
                f"resumed schedule {name!r} ({state.expression}): next run {_time(state.next_due)}",
            )

    run(body)


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _public(state: ScheduleState, now: datetime) -> dict[str, object]:
    return {
        "workflow": state.name,
        "schedule": state.expression,
        "status": state.status(now),
        "paused": state.paused,
        "next_run": None if state.paused else state.next_due.isoformat(),
        "last_run": {
            "due": state.last_due and state.last_due.isoformat(),
            "started": state.last_started and state.last_started.isoformat(),
            "finished": state.last_finished and state.last_finished.isoformat(),
            "execution_id": state.last_run_id,
            "status": state.last_status,
            "message": state.last_message,
        }
        if state.last_started
        else None,
        "skipped": state.skipped,
        "missed": state.missed,
    }
