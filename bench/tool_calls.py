"""Tool-call throughput and tools/list cost: bifrost-mcp against the bare mcp SDK, in one run.

Bare side: `MCPServer("bare")` with `@mcp.tool() def echo(text: str) -> str`, served over stdio (`mcp.run()` in
a subprocess) and streamable HTTP (`mcp.streamable_http_app()` under uvicorn on 127.0.0.1, a free port).
bifrost side: a temporary workspace with `@workflow(is_tool=True) async def echo(text: str) -> str`, served by
`bifrost-mcp serve --workspace W --data-dir D` (stdio) and `serve --http --port P` with a bearer token from
`bifrost-mcp token reset --json`, twice: `--isolation inline` (the workflow runs in the server) and
`--isolation process` (in its worker processes, the default), each with a data dir of its own. Every bifrost
call is validated, run under an ExecutionContext and recorded: after the run each executions table is counted.

Both servers run as subprocesses at the same time and are driven by the official `mcp.Client`, in rounds that
alternate between them (and which goes first), so that load from anything else on the machine lands on both
alike: sequential calls on one session, then `--clients` concurrent clients making `--per-client` calls each.
Over HTTP every concurrent client is its own session; a stdio server has exactly one client, so over stdio the
concurrent callers share the one session (pipelined requests). Besides calls/s, p50 and p99 (client side), the
server process's CPU time per call is read from /proc: the least noisy figure on a busy machine.

tools/list: `--tools` generated workflows against as many generated bare tools of the same shape (same
signature, docstring and return type), listed `--list-calls` times with the client cache bypassed:
in process through `Client(server)` (time per list as the client sees it, which includes the client's own
validation of the result, and the server's share: handler plus serialization, timed by the same outermost
middleware on both), and over stdio (time per list, and the server process's CPU per list).

    .venv/bin/python bench/tool_calls.py                     # defaults: a few minutes
    .venv/bin/python bench/tool_calls.py --modes auto --transports http --calls 3000 --rounds 10

Ratios are ours/bare: for calls/s >= 1.0 is as fast as the bare SDK; for times and CPU lower is better. For
calls/s two are given: over all rounds, and the median of the per-round ratios (each round runs the two sides
back to back, so a burst of other load moves that figure least).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIFROST = str(Path(sys.executable).with_name("bifrost-mcp"))
HOST = "127.0.0.1"
SIDES = ("bare", "ours")  # tools/list
# tools/call: "ours" runs the workflows inline in the server (--isolation inline), "isolated" in its worker
# processes (--isolation process, what `serve` does by default)
CALL_SIDES = ("bare", "ours", "isolated")
OURS = ("ours", "isolated")

BARE_SERVER = textwrap.dedent(
    '''
    import sys

    from mcp.server import MCPServer

    mcp = MCPServer("bare", log_level="WARNING")


    @mcp.tool()
    def echo(text: str) -> str:
        """Echo the text back."""
        return text


    if __name__ == "__main__":
        if len(sys.argv) > 1:
            import anyio
            import uvicorn

            port = int(sys.argv[1])
            app = mcp.streamable_http_app(host="127.0.0.1")
            config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
            anyio.run(uvicorn.Server(config).serve)
        else:
            mcp.run()
    '''
)

ECHO_WORKFLOW = textwrap.dedent(
    '''
    from bifrost import workflow


    @workflow(is_tool=True)
    async def echo(text: str) -> str:
        """Echo the text back."""
        return text
    '''
)


# ---------------------------------------------------------------------------------------------------- figures
@dataclass
class Figures:
    """Accumulated over the rounds of one side of one scenario."""

    calls: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    server_cpu: float = 0.0  # CPU seconds of the server process during the timed calls
    server_seconds: float = 0.0  # in-process tools/list only: time inside the server's middleware chain
    block_rates: list[float] = field(default_factory=list)  # calls/s of each round

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.server_cpu / self.calls * 1000 if self.calls else 0.0

    @property
    def ms_per_call(self) -> float:
        return self.seconds / self.calls * 1000 if self.calls else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def ratio(ours: float, bare: float) -> str:
    return f"{ours / bare:5.2f}x" if bare else "   - "


# ---------------------------------------------------------------------------------------------------- /proc
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int | None) -> float:
    """user + system CPU time of a process, from /proc (Linux); 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def tree_cpu_seconds(pid: int | None) -> float:
    """cpu_seconds of `pid` and its descendants alive now (a server and its worker processes)."""
    if pid is None:
        return 0.0
    total = cpu_seconds(pid)
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += tree_cpu_seconds(int(child))
    return total


def child_pids() -> set[int]:
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            pids.update(int(p) for p in (task / "children").read_text().split())
    return pids


# ---------------------------------------------------------------------------------------------------- servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


async def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        await anyio.sleep(0.1)
    raise RuntimeError(f"nothing listening on {HOST}:{port} after {timeout} s")


def _spawn(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as err:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)


@contextlib.asynccontextmanager
async def http_server(cmd: list[str], port: int, log: Path) -> AsyncIterator[int]:
    """A server subprocess listening on `port`; yields its pid. Stopped with SIGTERM (bifrost flushes)."""
    proc = _spawn(cmd, log)
    try:
        await wait_port(port, proc)
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


ClientFactory = Callable[[], contextlib.AbstractAsyncContextManager[Client]]


def http_factory(url: str, mode: str, token: str | None) -> ClientFactory:
    @contextlib.asynccontextmanager
    async def factory() -> AsyncIterator[Client]:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        async with (
            httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=300.0)) as http,
            Client(streamable_http_client(url, http_client=http), mode=mode) as client,
        ):
            yield client

    return factory


def stdio_factory(command: str, argv: list[str], mode: str, errlog: Path) -> ClientFactory:
    """A stdio client spawning the server; its stderr goes to `errlog`."""

    @contextlib.asynccontextmanager
    async def factory() -> AsyncIterator[Client]:
        params = StdioServerParameters(command=command, args=argv, cwd=str(ROOT))
        with errlog.open("a") as err:
            async with Client(stdio_client(params, errlog=err), mode=mode) as client:
                yield client

    return factory


@contextlib.asynccontextmanager
async def stdio_session(factory: ClientFactory) -> AsyncIterator[tuple[Client, int | None]]:
    """A stdio client and the pid of the server process it spawned."""
    before = child_pids()
    async with factory() as client:
        spawned = child_pids() - before
        yield client, (min(spawned) if len(spawned) == 1 else None)


def bifrost_cli(*argv: str) -> str:
    out = subprocess.run([BIFROST, *argv], check=True, capture_output=True, text=True, cwd=ROOT)
    return out.stdout


# ---------------------------------------------------------------------------------------------------- tools/call
async def checked_call(client: Client, text: str) -> None:
    result = await client.call_tool("echo", {"text": text})
    if result.is_error or result.structured_content != {"result": text}:
        raise RuntimeError(f"echo failed: {result.model_dump(exclude_none=True)}")


async def timed_calls(clients: list[Client], per_client: int, pid: int | None, into: Figures) -> None:
    """`per_client` calls on each client (concurrently when there are several), added to `into`."""
    start = anyio.Event()

    async def one(client: Client, k: int) -> None:
        await start.wait()
        for i in range(per_client):
            t0 = time.perf_counter()
            await checked_call(client, f"client {k} call {i}")
            into.latencies.append(time.perf_counter() - t0)

    async with anyio.create_task_group() as tg:
        for k, client in enumerate(clients):
            tg.start_soon(one, client, k)
        await anyio.sleep(0.01)
        cpu0 = tree_cpu_seconds(pid)
        started = time.perf_counter()
        start.set()
    elapsed = time.perf_counter() - started
    into.seconds += elapsed
    into.server_cpu += tree_cpu_seconds(pid) - cpu0
    into.calls += len(clients) * per_client
    into.block_rates.append(len(clients) * per_client / elapsed)


@dataclass
class Served:
    """One side of a scenario: the session for sequential calls, the concurrent clients, the server pid."""

    client: Client
    pid: int | None
    clients: list[Client] = field(default_factory=list)


@dataclass
class Scenario:
    seq: dict[str, Figures]
    conc: dict[str, Figures]
    our_calls: int


def _orders(rounds: int, sides: tuple[str, ...] = SIDES) -> list[tuple[str, ...]]:
    return [sides if r % 2 == 0 else sides[::-1] for r in range(rounds)]


async def tool_calls(args: argparse.Namespace, env: Env, mode: str, transport: str) -> Scenario:
    """Both servers up at once; sequential then concurrent calls in alternating rounds."""
    made = 0
    async with contextlib.AsyncExitStack() as stack:
        served: dict[str, Served] = {}
        factories: dict[str, ClientFactory] = {}
        for side in CALL_SIDES:
            if transport == "stdio":
                cmd, argv = (PYTHON, [str(env.bare_script)]) if side == "bare" else (BIFROST, env.serve[side])
                client, pid = await stack.enter_async_context(stdio_session(stdio_factory(cmd, argv, mode, env.log)))
            else:
                port = free_port()
                if side == "bare":
                    cmd_line = [PYTHON, str(env.bare_script), str(port)]
                else:
                    cmd_line = [BIFROST, *env.serve[side], "--http", "--host", HOST, "--port", str(port)]
                pid = await stack.enter_async_context(http_server(cmd_line, port, env.log))
                factories[side] = http_factory(f"http://{HOST}:{port}/mcp", mode, env.tokens.get(side))
                client = await stack.enter_async_context(factories[side]())
            await client.list_tools()
            for i in range(args.warmup):
                await checked_call(client, f"warm {i}")
            served[side] = Served(client, pid)
        made += 1 * args.warmup

        seq = {side: Figures() for side in CALL_SIDES}
        per_round = max(1, args.calls // args.rounds)
        for order in _orders(args.rounds, CALL_SIDES):
            for side in order:
                await timed_calls([served[side].client], per_round, served[side].pid, seq[side])
        made += per_round * args.rounds

        for side in CALL_SIDES:
            if transport == "stdio":
                served[side].clients = [served[side].client] * args.clients
            else:
                for _ in range(args.clients):
                    client = await stack.enter_async_context(factories[side]())
                    await client.list_tools()
                    served[side].clients.append(client)
            await timed_calls(served[side].clients, 2, None, Figures())  # warm the concurrent path
        made += args.clients * 2
        conc = {side: Figures() for side in CALL_SIDES}
        per_client = max(1, args.per_client // args.rounds)
        for order in _orders(args.rounds, CALL_SIDES):
            for side in order:
                await timed_calls(served[side].clients, per_client, served[side].pid, conc[side])
        made += args.clients * per_client * args.rounds
    return Scenario(seq, conc, made)


# ---------------------------------------------------------------------------------------------------- tools/list
TOOL_DOC = '''"""Tool number {i}: look something up.

    Args:
        text: What to look up.
        count: How many results to return.
        exact: Whether to match exactly.
    """'''


def tool_source(i: int, decorator: str) -> str:
    signature = f"async def tool_{i:04d}(text: str, count: int = 1, exact: bool = False) -> str:"
    return f"\n\n{decorator}\n{signature}\n    {TOOL_DOC.format(i=i)}\n    return text\n"


def generate_workspace(root: Path, n: int, per_file: int = 100) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, per_file):
        body = "from bifrost import workflow\n"
        for i in range(start, min(n, start + per_file)):
            body += tool_source(i, "@workflow(is_tool=True)")
        (root / f"tools_{start // per_file:03d}.py").write_text(body)


def bare_list_script(n: int) -> str:
    """A bare MCPServer with `n` tools of the workspace's shape, served over stdio."""
    tools = "".join(tool_source(i, "@mcp.tool()") for i in range(n))
    head = 'from mcp.server import MCPServer\n\nmcp = MCPServer("bare-list", log_level="WARNING")\n'
    return f"{head}{tools}\nmcp.run()\n"


def generate_bare(n: int) -> Any:
    from mcp.server import MCPServer

    namespace: dict[str, Any] = {}
    exec(compile("".join(tool_source(i, "") for i in range(n)), "<bare-tools>", "exec"), namespace)
    server = MCPServer("bare-list", log_level="WARNING")
    for i in range(n):
        server.tool()(namespace[f"tool_{i:04d}"])
    return server


def server_timer(into: dict[str, float]) -> Any:
    """An outermost middleware adding the time spent serving each tools/list to `into["seconds"]`."""

    async def middleware(ctx: Any, call_next: Any) -> Any:
        if ctx.method != "tools/list":
            return await call_next(ctx)
        t0 = time.perf_counter()
        try:
            return await call_next(ctx)
        finally:
            into["seconds"] += time.perf_counter() - t0

    return middleware


async def timed_lists(client: Client, reps: int, expected: int, pid: int | None, into: Figures) -> None:
    cpu0 = cpu_seconds(pid)
    for _ in range(reps):
        t0 = time.perf_counter()
        listed = await client.list_tools(cache_mode="bypass")
        into.latencies.append(time.perf_counter() - t0)
        into.seconds += into.latencies[-1]
        # bifrost-mcp lists its built-in tools (such as search_knowledge) besides the workspace's
        if sum(tool.name.startswith("tool_") for tool in listed.tools) != expected:
            raise RuntimeError(f"tools/list returned {len(listed.tools)} tools, expected {expected}")
    into.server_cpu += cpu_seconds(pid) - cpu0
    into.calls += reps


async def tools_list_inproc(args: argparse.Namespace, env: Env, mode: str) -> dict[str, Figures]:
    from bifrost_mcp.app import App
    from bifrost_mcp.server.protocol import BifrostServer
    from bifrost_mcp.settings import HostSettings

    bare = generate_bare(args.tools)
    settings = HostSettings(data_dir=env.tmp / "list-data-inproc", workspace=env.list_workspace)
    figures = {side: Figures() for side in SIDES}
    timers = {side: {"seconds": 0.0} for side in SIDES}
    async with App.opened(settings) as app:
        workflows = [name for name in app.registry.tools if name.startswith("tool_")]
        if len(workflows) != args.tools:
            raise RuntimeError(f"workspace loaded {len(workflows)} tools: {app.registry.errors[:3]}")
        caller = await app.host.callers.owner()

        async def resolve(_ctx: object) -> Any:
            return caller

        ours = BifrostServer(app, resolve).server
        bare._lowlevel_server.middleware.insert(0, server_timer(timers["bare"]))
        ours.middleware.insert(0, server_timer(timers["ours"]))
        async with Client(bare, mode=mode) as bare_client, Client(ours, mode=mode) as our_client:
            clients = {"bare": bare_client, "ours": our_client}
            for client in clients.values():
                await timed_lists(client, 2, args.tools, None, Figures())
            timers = {side: {"seconds": 0.0} for side in SIDES}
            bare._lowlevel_server.middleware[0] = server_timer(timers["bare"])
            ours.middleware[0] = server_timer(timers["ours"])
            for order in _orders(args.rounds):
                for side in order:
                    await timed_lists(clients[side], max(1, args.list_calls // args.rounds), args.tools, None,
                                      figures[side])  # fmt: skip
    for side in SIDES:
        figures[side].server_seconds = timers[side]["seconds"]
    return figures


async def tools_list_stdio(args: argparse.Namespace, env: Env, mode: str) -> dict[str, Figures]:
    script = env.tmp / "bare_list_server.py"
    if not script.exists():
        script.write_text(bare_list_script(args.tools))
    serve = ["serve", "--workspace", str(env.list_workspace), "--data-dir", str(env.tmp / "list-data-stdio")]
    figures = {side: Figures() for side in SIDES}
    async with contextlib.AsyncExitStack() as stack:
        sessions: dict[str, tuple[Client, int | None]] = {}
        for side in SIDES:
            cmd, argv = (PYTHON, [str(script)]) if side == "bare" else (BIFROST, serve)
            sessions[side] = await stack.enter_async_context(stdio_session(stdio_factory(cmd, argv, mode, env.log)))
            await timed_lists(sessions[side][0], 2, args.tools, None, Figures())
        for order in _orders(args.rounds):
            for side in order:
                client, pid = sessions[side]
                await timed_lists(client, max(1, args.list_calls // args.rounds), args.tools, pid, figures[side])
    return figures


# ---------------------------------------------------------------------------------------------------- main
@dataclass
class Env:
    tmp: Path
    serve: dict[str, list[str]]  # per side of ours
    tokens: dict[str, str]
    bare_script: Path
    log: Path
    data_dirs: dict[str, Path]
    list_workspace: Path


def executions_count(data_dir: Path) -> tuple[int, int]:
    with contextlib.closing(sqlite3.connect(data_dir / "bifrost.sqlite3")) as db:
        total = db.execute("SELECT count(*) FROM executions").fetchone()[0]
        completed = db.execute("SELECT count(*) FROM executions WHERE status = 'Completed'").fetchone()[0]
    return int(total), int(completed)


def round_ratio(bare: Figures, ours: Figures) -> float:
    """The median over rounds of ours/bare calls/s, each round's two blocks run back to back."""
    return statistics.median(o / b for o, b in zip(ours.block_rates, bare.block_rates, strict=True))


def _call_row(label: str, bare: Figures, ours: Figures, isolated: Figures) -> str:
    def side(f: Figures) -> str:
        return f"{f.rate:6.0f} {f.pct(0.50):5.2f} {f.pct(0.99):6.2f} {f.cpu_ms:5.2f}"

    def ratios(f: Figures) -> str:
        return f"{ratio(f.rate, bare.rate)} {round_ratio(bare, f):5.2f}x {ratio(f.cpu_ms, bare.cpu_ms)}"

    return f"  {label:24}|{side(bare)} |{side(ours)} |{side(isolated)} | {ratios(ours)} | {ratios(isolated)}"


async def main(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bifrost-bench-"))
    workspace = tmp / "workspace"
    workspace.mkdir()
    (workspace / "echo.py").write_text(ECHO_WORKFLOW)
    data_dirs = {side: tmp / f"data-{side}" for side in OURS}
    bare_script = tmp / "bare_server.py"
    bare_script.write_text(BARE_SERVER)
    tokens = {
        side: json.loads(bifrost_cli("token", "reset", "--json", "--data-dir", str(data_dirs[side])))["token"]
        for side in OURS
    }
    isolation = {"ours": "inline", "isolated": "process"}

    def serve_of(side: str) -> list[str]:
        where = ["--workspace", str(workspace), "--data-dir", str(data_dirs[side])]
        return ["serve", *where, "--isolation", isolation[side], "--workers", str(args.workers)]

    env = Env(
        tmp=tmp,
        serve={side: serve_of(side) for side in OURS},
        tokens=tokens,
        bare_script=bare_script,
        log=tmp / "servers.log",
        data_dirs=data_dirs,
        list_workspace=tmp / "list-workspace",
    )
    load = os.getloadavg()[0]
    print(f"bench/tool_calls.py: python {sys.version.split()[0]}, {os.cpu_count()} cpu(s), load average {load:.1f}")
    print(
        f"tools/call: {args.calls} sequential calls, then {args.clients} clients x {args.per_client} calls, in "
        f"{args.rounds} alternating rounds; tools/list: {args.tools} tools x {args.list_calls} lists",
        flush=True,
    )

    rows: list[tuple[str, Figures, Figures, Figures]] = []
    expected = 0
    for mode in args.modes:
        for transport in args.transports:
            scenario = await tool_calls(args, env, mode, transport)
            expected += scenario.our_calls
            for phase, figs in (("sequential", scenario.seq), (f"{args.clients} clients", scenario.conc)):
                label = f"{mode:6} {transport:5} {phase}"
                rows.append((label, figs["bare"], figs["ours"], figs["isolated"]))
                print(_call_row(label, figs["bare"], figs["ours"], figs["isolated"]), flush=True)

    list_rows: list[tuple[str, dict[str, Figures]]] = []
    if args.tools > 0:
        generate_workspace(env.list_workspace, args.tools)
        for mode in args.modes:
            for where in args.list_transports:
                run = tools_list_inproc if where == "inproc" else tools_list_stdio
                list_rows.append((f"{mode:6} {where}", await run(args, env, mode)))
                print(f"  tools/list {mode} {where} done", flush=True)

    print()
    print("tools/call echo          | bare SDK: call/s p50 p99 cpu | inline: call/s p50 p99 cpu | isolated: "
          "call/s p50 p99 cpu | inline/bare: call/s median cpu | isolated/bare: call/s median cpu")  # fmt: skip
    for label, bare, ours, isolated in rows:
        print(_call_row(label, bare, ours, isolated))
    print("  (p50/p99: client-side latency, ms; cpu: the server's CPU time per call, ms, its worker processes")
    print("   included; median: of the per-round ratios, each round's blocks back to back - the figure least")
    print("   moved by other load)")
    if list_rows:
        print()
        print(f"tools/list, {args.tools} tools | bare: ms/list    p50  server | ours: ms/list    p50  server | "
              f"ours/bare: ms/list    p50  server")  # fmt: skip
        for label, figs in list_rows:
            b, o = figs["bare"], figs["ours"]

            def server(f: Figures) -> float:  # ms of server work per list: in-process time, or stdio CPU
                return (f.server_seconds if f.server_seconds else f.server_cpu) / f.calls * 1000

            print(
                f"  {label:26} | {b.ms_per_call:13.1f} {b.pct(0.5):6.1f} {server(b):7.1f} | "
                f"{o.ms_per_call:13.1f} {o.pct(0.5):6.1f} {server(o):7.1f} | "
                f"{ratio(o.ms_per_call, b.ms_per_call):>17} {ratio(o.pct(0.5), b.pct(0.5))} "
                f"{ratio(server(o), server(b)):>7}"
            )
        print("  (server: inproc = time inside the server's middleware chain; stdio = server process CPU)")
    status = 0
    if expected:
        for side in OURS:
            total, completed = executions_count(data_dirs[side])
            state = "OK" if total == expected and completed == expected else "MISMATCH"
            print()
            print(f"executions recorded ({side}): {total} rows ({completed} Completed) for {expected} calls: {state}")
            status = status or (0 if state == "OK" else 1)
    if args.keep:
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return status


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=1200, help="sequential calls per side (default 1200)")
    p.add_argument("--warmup", type=int, default=100, help="warm-up calls per side before timing (default 100)")
    p.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    p.add_argument("--per-client", type=int, default=24, help="calls per concurrent client (default 24)")
    p.add_argument("--rounds", type=int, default=8, help="alternating rounds the calls are split into (default 8)")
    p.add_argument("--tools", type=int, default=1000, help="tools for the tools/list comparison (0: skip)")
    p.add_argument("--list-calls", type=int, default=20, help="timed tools/list calls per side (default 20)")
    p.add_argument("--modes", nargs="+", default=["auto", "legacy"], choices=["auto", "legacy"])
    p.add_argument("--transports", nargs="*", default=["stdio", "http"], choices=["stdio", "http"])
    p.add_argument("--list-transports", nargs="*", default=["inproc", "stdio"], choices=["inproc", "stdio"])
    p.add_argument("--workers", type=int, default=4, help="worker processes of the isolated server (default 4)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (servers.log, data dir)")
    return p.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
