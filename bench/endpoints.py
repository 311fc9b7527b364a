"""Endpoint calls/s against MCP tools/call of the same workflow, on the same server, in one run.

One `bifrost-mcp serve --http` (worker processes by default, as served) over a temporary workspace with
`@workflow(is_tool=True, endpoint_enabled=True, execution_mode="sync") async def echo(text: str) -> str`.
Two sides call it with the owner's token, each over one keep-alive connection:
- endpoint: httpx2 `POST /api/workflows/echo` with `{"text": ...}`, answered `{"execution_id", "status", "result"}`;
- mcp: the official `mcp.Client` over streamable HTTP, `tools/call echo` (protocol 2026-07-28 by default).
Both go through the same gate and runner and wait for the execution record's commit. Sequential calls, then
`--clients` concurrent clients per side; the sides alternate in rounds, in an order reversed every round, so
that other load on the machine lands on both alike. Prints calls/s per side and the endpoint/mcp ratio.

    .venv/bin/python bench/endpoints.py                  # defaults: well under a minute
    .venv/bin/python bench/endpoints.py --calls 4000 --rounds 10 --isolation inline
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from bench.tool_calls import HOST, free_port, http_server

ROOT = Path(__file__).resolve().parents[1]
BIFROST = str(Path(sys.executable).with_name("bifrost-mcp"))
WORKSPACE = '''
from bifrost import workflow


@workflow(is_tool=True, endpoint_enabled=True, execution_mode="sync")
async def echo(text: str) -> str:
    """Echo the text."""
    return text
'''
SIDES = ("endpoint", "mcp")
Call = Callable[[str], Awaitable[None]]


@contextlib.asynccontextmanager
async def served(workdir: Path, isolation: str) -> AsyncIterator[tuple[str, str]]:
    """The server's base URL and the owner token from its banner."""
    (workdir / "ws").mkdir()
    (workdir / "ws" / "echo.py").write_text(WORKSPACE)
    port, log = free_port(), workdir / "serve.log"
    command = [BIFROST, "serve", "--http", "--host", HOST, "--port", str(port), "--workspace", str(workdir / "ws"),
               "--data-dir", str(workdir / "data"), "--isolation", isolation]  # fmt: skip
    async with http_server(command, port, log):
        lines = log.read_text().splitlines()
        token = next(line.rsplit(" ", 1)[-1] for line in lines if "owner token (shown once" in line)
        yield f"http://{HOST}:{port}", token


@contextlib.asynccontextmanager
async def endpoint_side(base: str, token: str) -> AsyncIterator[Call]:
    async with httpx2.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:

        async def call(text: str) -> None:
            response = await http.post("/api/workflows/echo", json={"text": text})
            if response.status_code != 200 or response.json()["result"] != text:
                raise RuntimeError(f"endpoint call failed: {response.status_code} {response.text}")

        yield call


@contextlib.asynccontextmanager
async def mcp_side(base: str, token: str, mode: str) -> AsyncIterator[Call]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http), mode=mode) as client,
    ):

        async def call(text: str) -> None:
            result = await client.call_tool("echo", {"text": text})
            if result.is_error or result.structured_content != {"result": text}:
                raise RuntimeError(f"tools/call failed: {result.model_dump(exclude_none=True)}")

        yield call


async def timed(calls: list[Call], per_client: int) -> float:
    """Calls per second of `per_client` calls on each of `calls` (concurrently when there are several)."""

    async def one(call: Call, k: int) -> None:
        for i in range(per_client):
            await call(f"call {k}.{i}")

    started = time.perf_counter()
    await asyncio.gather(*(one(call, k) for k, call in enumerate(calls)))
    return len(calls) * per_client / (time.perf_counter() - started)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-endpoints-") as tmp:
        async with served(Path(tmp), args.isolation) as (base, token), contextlib.AsyncExitStack() as stack:
            sides: dict[str, list[Call]] = {"endpoint": [], "mcp": []}
            for _ in range(args.clients):
                sides["endpoint"].append(await stack.enter_async_context(endpoint_side(base, token)))
                sides["mcp"].append(await stack.enter_async_context(mcp_side(base, token, args.mode)))
            for side in SIDES:  # warm both paths (workers, connections, caches)
                await timed(sides[side][:1], args.warmup)
                await timed(sides[side], 2)
            for label, clients, per_round in (
                ("sequential", 1, max(1, args.calls // args.rounds)),
                (f"{args.clients} clients", args.clients, max(1, args.per_client // args.rounds)),
            ):
                rates: dict[str, list[float]] = {side: [] for side in SIDES}
                for r in range(args.rounds):
                    for side in SIDES if r % 2 == 0 else SIDES[::-1]:
                        rates[side].append(await timed(sides[side][:clients], per_round))
                ratios = [e / m for e, m in zip(rates["endpoint"], rates["mcp"], strict=True)]
                print(
                    f"{label:>12}: endpoint {statistics.median(rates['endpoint']):7.0f} calls/s, "
                    f"mcp {statistics.median(rates['mcp']):7.0f} calls/s, endpoint/mcp median of per-round ratios "
                    f"{statistics.median(ratios):.2f}x (range {min(ratios):.2f}x to {max(ratios):.2f}x)"
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1000, help="sequential calls per side, over all rounds")
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients per side")
    parser.add_argument("--per-client", type=int, default=100, help="calls per concurrent client, over all rounds")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--isolation", choices=["process", "inline"], default="process")
    parser.add_argument("--mode", choices=["auto", "legacy"], default="auto", help="MCP protocol era")
    asyncio.run(main(parser.parse_args()))
