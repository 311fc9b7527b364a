"""One SDK call from a workflow: in a worker process (over its pipe to the host) against inline, in one run.

A workflow times `--calls` sequential `config.get` calls itself (perf_counter around each await) and returns
the latencies, so the figure is the SDK call alone: the worker's frame out, the host's RunPlatform answering
as the run's caller (the same config read inline does), the frame back. Both Apps (inline, and worker
processes) are open at once over the same kind of data dir, and the rounds alternate between them, so load from
anything else on the machine lands on both alike.

    .venv/bin/python bench/sdk_call.py                 # defaults: 10 rounds of 500 calls per side
    .venv/bin/python bench/sdk_call.py --rounds 20 --calls 1000

Target: the worker's p50 at most 0.3 ms over the inline p50.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from bifrost import config, workflow
from bifrost_mcp.app import App
from bifrost_mcp.data.config import ConfigStore
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace.loader import registry_from_functions

SIDES = ("inline", "process")


@workflow
async def timed_config_gets(calls: int) -> list[float]:
    """Seconds per `config.get`, measured inside the run."""
    latencies = []
    for _ in range(calls):
        started = time.perf_counter()
        await config.get("vendor_url")
        latencies.append(time.perf_counter() - started)
    return latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main(args: argparse.Namespace) -> int:
    load = os.getloadavg()[0]
    print(f"bench/sdk_call.py: python {sys.version.split()[0]}, {os.cpu_count()} cpu(s), load average {load:.1f}; "
          f"{args.rounds} rounds x {args.calls} config.get per side")  # fmt: skip
    latencies: dict[str, list[float]] = {side: [] for side in SIDES}
    round_p50: dict[str, list[float]] = {side: [] for side in SIDES}
    with tempfile.TemporaryDirectory(prefix="bifrost-sdk-call-") as tmp:
        async with AsyncExitStack() as stack:
            apps: dict[str, App] = {}
            for side in SIDES:
                settings = HostSettings(data_dir=Path(tmp) / side, isolation=side, workers=1)
                registry = registry_from_functions([timed_config_gets])
                app = await stack.enter_async_context(App.opened(settings, registry))
                await ConfigStore(app.host.db, app.host.secrets).set("GLOBAL", "vendor_url", "https://vendor.example")
                apps[side] = app
            owners = {side: await apps[side].host.callers.owner() for side in SIDES}

            async def measure(side: str, calls: int) -> list[float]:
                app = apps[side]
                outcome = await app.run(app.registry.workflows["timed_config_gets"], {"calls": calls}, owners[side])
                if not outcome.ok:
                    raise RuntimeError(f"{side}: {outcome.message}")
                return list(outcome.value)

            for side in SIDES:
                await measure(side, 50)  # warm: the worker started, the config view built, caches filled
            for r in range(args.rounds):
                for side in SIDES if r % 2 == 0 else SIDES[::-1]:
                    values = await measure(side, args.calls)
                    latencies[side] += values
                    round_p50[side].append(pct(values, 0.5))
    print()
    print("config.get from a workflow  |   p50 ms   p90 ms   p99 ms")
    for side in SIDES:
        values = latencies[side]
        print(f"  {side:26}| {pct(values, 0.5):8.3f} {pct(values, 0.9):8.3f} {pct(values, 0.99):8.3f}")
    overhead = pct(latencies["process"], 0.5) - pct(latencies["inline"], 0.5)
    per_round = statistics.median(p - i for p, i in zip(round_p50["process"], round_p50["inline"], strict=True))
    print(f"  worker p50 - inline p50: {overhead:.3f} ms overall, {per_round:.3f} ms median of per-round "
          f"differences (target <= 0.3 ms)")  # fmt: skip
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=10, help="alternating rounds (default 10)")
    p.add_argument("--calls", type=int, default=500, help="config.get calls per side per round (default 500)")
    return p.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
