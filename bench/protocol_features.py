"""prompts/get, resources/read, completion/complete and an image tool result: bifrost-mcp against the bare SDK.

Bare side: `MCPServer("bare")` with a prompt `greet(name, topic)`, a resource template `bench://items/{id}`, a
completion handler that filters 50 team names by the typed prefix, and a tool `chart` returning an `Image`, served
over streamable HTTP (uvicorn, a subprocess). bifrost side: a temporary workspace with the same four written with
the bifrost SDK (`@prompt` whose `name` takes `options("teams")` from a `@data_provider`, `@resource`, a
`@workflow` returning `bifrost.Image`), served by `bifrost-mcp serve --http` with its defaults: worker processes,
every prompt render, resource read and tool call run under the caller's context and recorded, completions
answered from the data provider (cached for its `cache_ttl_seconds`).

Both servers run at the same time and are driven by the official `mcp.Client` (2025-11-25 sessions), in rounds
that alternate between them and which goes first; each round makes `--calls` sequential requests of one kind on
one session. Printed: requests/s per side, and ours/bare as the median of the per-round ratios.

    .venv/bin/python bench/protocol_features.py               # defaults: about a minute
    .venv/bin/python bench/protocol_features.py --calls 30 --rounds 2   # the quick run the tests make
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import tempfile
import textwrap
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from bench.tool_calls import BIFROST, PYTHON, bifrost_cli, free_port, http_server

PNG = (
    "b'\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x01\\x08\\x02\\x00\\x00"
    "\\x00\\x90wS\\xde\\x00\\x00\\x00\\x0cIDATx\\x9cc\\xf8\\xcf\\xc0\\x00\\x00\\x03\\x01\\x01\\x00\\xc9\\xfe\\x92"
    "\\xef\\x00\\x00\\x00\\x00IEND\\xaeB`\\x82'"
)
TEAMS = "[f'team-{i:02d}' for i in range(50)]"

BARE_SERVER = textwrap.dedent(
    f'''
    import json
    import sys

    import anyio
    import uvicorn
    from mcp.server import MCPServer
    from mcp.server.mcpserver import Image
    from mcp_types import Completion

    mcp = MCPServer("bare", log_level="WARNING")
    TEAMS = {TEAMS}


    @mcp.prompt()
    def greet(name: str, topic: str) -> str:
        """Greet someone about a topic."""
        return f"Hello {{name}}, about {{topic}}."


    @mcp.resource("bench://items/{{id}}", mime_type="application/json")
    def item(id: str) -> str:
        """One item."""
        return json.dumps({{"id": id}})


    @mcp.completion()
    async def complete(ref, argument, context):
        values = [t for t in TEAMS if t.lower().startswith(argument.value.lower())]
        return Completion(values=values[:100], total=len(values), has_more=len(values) > 100)


    @mcp.tool()
    def chart() -> Image:
        """A chart."""
        return Image(data={PNG}, format="png")


    port = int(sys.argv[1])
    app = mcp.streamable_http_app(host="127.0.0.1")
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    anyio.run(uvicorn.Server(config).serve)
    '''
)

WORKSPACE = textwrap.dedent(
    f'''
    import json
    from typing import Annotated

    from bifrost import Image, data_provider, options, prompt, resource, workflow

    TEAMS = {TEAMS}


    @data_provider(cache_ttl_seconds=300)
    async def teams() -> list[dict[str, str]]:
        """The teams."""
        return [{{"label": t, "value": t}} for t in TEAMS]


    @prompt
    async def greet(name: Annotated[str, options("teams")], topic: str) -> str:
        """Greet someone about a topic."""
        return f"Hello {{name}}, about {{topic}}."


    @resource("bench://items/{{id}}", mime_type="application/json")
    async def item(id: str) -> str:
        """One item."""
        return json.dumps({{"id": id}})


    @workflow(is_tool=True)
    async def chart() -> Image:
        """A chart."""
        return Image(data={PNG}, mime_type="image/png")
    '''
)


async def prompt_get(client: Client, n: int) -> None:
    result = await client.get_prompt("greet", {"name": "team-07", "topic": f"t{n}"})
    if result.messages[0].content.text != f"Hello team-07, about t{n}.":  # type: ignore[union-attr]
        raise RuntimeError(f"prompts/get answered {result}")


async def resource_read(client: Client, n: int) -> None:
    result = await client.read_resource(f"bench://items/{n}")
    if f'"{n}"' not in result.contents[0].text:  # type: ignore[union-attr]
        raise RuntimeError(f"resources/read answered {result}")


async def completion(client: Client, n: int) -> None:
    import mcp_types as types

    result = await client.complete(types.PromptReference(name="greet"), {"name": "name", "value": "team-1"})
    if len(result.completion.values) != 10:
        raise RuntimeError(f"completion/complete answered {result}")


async def image_call(client: Client, n: int) -> None:
    result = await client.call_tool("chart", {})
    if result.is_error or result.content[0].type != "image":
        raise RuntimeError(f"tools/call answered {result}")


KINDS: dict[str, Callable[[Client, int], Awaitable[None]]] = {
    "prompts/get": prompt_get,
    "resources/read": resource_read,
    "completion/complete": completion,
    "tools/call (image)": image_call,
}


@contextlib.asynccontextmanager
async def session(url: str, token: str | None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http), mode="legacy") as client,
    ):
        yield client


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-features-") as tmp:
        root = Path(tmp)
        (root / "ws").mkdir()
        (root / "ws" / "bench.py").write_text(WORKSPACE)
        (root / "bare.py").write_text(BARE_SERVER)
        data = root / "data"
        token = json.loads(bifrost_cli("token", "reset", "--json", "--data-dir", str(data)))["token"]
        bare_port, ours_port = free_port(), free_port()
        ours_cmd = [BIFROST, "serve", "--http", "--port", str(ours_port), "--workspace", str(root / "ws")]
        async with (
            http_server([PYTHON, str(root / "bare.py"), str(bare_port)], bare_port, root / "bare.log"),
            http_server([*ours_cmd, "--data-dir", str(data)], ours_port, root / "ours.log"),
            session(f"http://127.0.0.1:{bare_port}/mcp", None) as bare,
            session(f"http://127.0.0.1:{ours_port}/mcp", token) as ours,
        ):
            sides = {"bare": bare, "ours": ours}
            print(f"{args.calls} sequential requests per round, {args.rounds} rounds, one session per side")
            print(f"{'request':<22}{'bare/s':>10}{'ours/s':>10}{'ours/bare':>11}")
            for kind, request in KINDS.items():
                for client in sides.values():  # warm: imports, caches, the workers' first run
                    await request(client, 0)
                rates: dict[str, list[float]] = {"bare": [], "ours": []}
                for round_ in range(args.rounds):
                    order = ("bare", "ours") if round_ % 2 == 0 else ("ours", "bare")
                    for side in order:
                        started = time.perf_counter()
                        for n in range(args.calls):
                            await request(sides[side], n)
                        rates[side].append(args.calls / (time.perf_counter() - started))
                ratio = statistics.median(o / b for o, b in zip(rates["ours"], rates["bare"], strict=True))
                bare_rate, ours_rate = statistics.median(rates["bare"]), statistics.median(rates["ours"])
                print(f"{kind:<22}{bare_rate:>10.0f}{ours_rate:>10.0f}{ratio:>10.2f}x")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200, help="sequential requests per side per round")
    parser.add_argument("--rounds", type=int, default=6, help="rounds, alternating which side goes first")
    return parser.parse_args(argv)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        anyio.run(main, parse())
