"""Scheduler drift: from a schedule's due time to its run's start, on the real clock, as `serve` runs schedules.

A workspace with one workflow scheduled every second (`* * * * * *`, croniter's sixth field) is served by
`--hosts` Apps on one data dir (worker processes, as `serve` runs them; each with its own Scheduler and
database connection, so they contend for each due time through the table's lease as separate servers do) for
`--seconds`. Then, per run:
- record start: the execution record's started_at (the runner has the run, before a worker gets it), minus
  the due time it ran for (the latest due time at or before it; every figure below is far under a second);
- body start: the workflow's first line, in its worker process, minus the due time.
It also counts due times against runs, so a due time fired twice or not at all shows (a run still going when
the next second is due skips that one, as a schedule does: counted as skipped).

    .venv/bin/python bench/schedules.py                 # 20 s, two hosts
    .venv/bin/python bench/schedules.py --seconds 60 --hosts 1
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import textwrap
import time
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path

import anyio

from bifrost_mcp.app import App
from bifrost_mcp.schedules.cron import parse
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.triggers.scheduler import Scheduler

EVERY_SECOND = "* * * * * *"
WORKSPACE = f'''
from datetime import UTC, datetime

from bifrost import workflow


@workflow(schedule="{EVERY_SECOND}")
async def tick() -> str:
    return datetime.now(UTC).isoformat()
'''


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(label: str, millis: list[float]) -> str:
    return (
        f"  {label:<13} p50 {percentile(millis, 0.5):6.1f} ms   p99 {percentile(millis, 0.99):6.1f} ms   "
        f"max {max(millis):6.1f} ms   mean {statistics.fmean(millis):6.1f} ms"
    )


async def measure(seconds: float, hosts: int, workers: int) -> None:
    cron = parse(EVERY_SECOND)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "ws"
        root.mkdir()
        (root / "jobs.py").write_text(textwrap.dedent(WORKSPACE), encoding="utf-8")
        settings = HostSettings(data_dir=Path(scratch) / "data", workspace=root, isolation="process", workers=workers)
        async with AsyncExitStack() as stack:
            apps = [await stack.enter_async_context(App.opened(settings)) for _ in range(hosts)]
            began = datetime.now().astimezone()
            async with anyio.create_task_group() as serving:
                for app in apps:
                    serving.start_soon(Scheduler(app).serve)
                await anyio.sleep(seconds)
                serving.cancel_scope.cancel()
            ended = datetime.now().astimezone()
            records = await apps[0].host.executions.query(workflow_name="tick", limit=100_000)
            state = await apps[0].host.schedules.get("tick")
            skipped = state.skipped if state is not None else 0

    finished = [r for r in records if r.result is not None]
    record_ms, body_ms, dues = [], [], []
    for record in finished:
        due = record.started_at.replace(microsecond=0)  # a per-second schedule: the latest due time at or before
        dues.append(due)
        record_ms.append((record.started_at - due).total_seconds() * 1000)
        body_ms.append((datetime.fromisoformat(record.result) - due).total_seconds() * 1000)
    expected = cron.due_count(cron.next_after(began), ended, limit=1_000_000)
    print(f"scheduler drift, schedule {EVERY_SECOND!r}, {hosts} host(s) on one data dir, {seconds:g} s")
    print(f"  due times {expected}, runs {len(records)} ({len(finished)} finished), skipped as overlaps {skipped}, "
          f"due times run twice {len(dues) - len(set(dues))}")  # fmt: skip
    if finished:
        print(summary("record start", record_ms))
        print(summary("body start", body_ms))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--hosts", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="worker processes per host")
    options = parser.parse_args()
    started = time.perf_counter()
    anyio.run(measure, options.seconds, options.hosts, options.workers)
    print(f"  (bench took {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
