"""Chat costs in one run: one agent tool step against calling the same workflow directly through the runner.

Both sides use the same App, the same caller and the same `echo` workflow over a temporary SQLite data dir.
The model is `bifrost.testing.FunctionModel`, which answers instantly, so every figure is the host's own cost:
- direct: `App.run(echo, {"text": ...}, caller)`, the path an MCP tools/call takes once the request is parsed;
- tool step: a `Chat.turn` whose model asks for `echo` once and then answers, minus a turn that answers at
  once: what running a tool inside an agent turn adds (the loop, the events, the stored tool call and result).

Rounds alternate the sides so that other load on the machine lands on both alike.

    .venv/bin/python bench/chat.py                  # defaults: about a minute
    .venv/bin/python bench/chat.py --turns 400 --rounds 10

Target (issue 13): a tool step costs at most 1.2x the direct runner call at p50.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bifrost.llm import ChatRequest, ChatResult, ToolCall
from bifrost.testing import FunctionModel, override_model
from bifrost_mcp.agents.chat import Chat
from bifrost_mcp.app import App
from bifrost_mcp.settings import HostSettings

WORKSPACE = '''
from bifrost import Agent, workflow


@workflow(is_tool=True)
async def echo(text: str) -> str:
    """Echo the text."""
    return text


bench = Agent("bench", tools=[echo])
'''


def model(with_tool: bool) -> FunctionModel:
    def reply(request: ChatRequest) -> ChatResult:
        answered = request.messages[-1].role == "tool"
        if with_tool and not answered:
            return ChatResult(text="", tool_calls=(ToolCall("c1", "echo", {"text": "ping"}),))
        return ChatResult(text="done")

    return FunctionModel(reply)


async def timed(call: Callable[[], Awaitable[None]], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return samples


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "ws"
        workspace.mkdir()
        (workspace / "bench_agent.py").write_text(WORKSPACE)
        async with App.opened(HostSettings(data_dir=Path(tmp) / "data", workspace=workspace)) as app:
            caller = await app.host.callers.owner()
            entry = app.registry.workflows["echo"]
            chat = Chat(app)

            async def direct() -> None:
                outcome = await app.run(entry, {"text": "ping"}, caller)
                assert outcome.ok, outcome.message

            async def turn_with_tool() -> None:
                with override_model(model(with_tool=True)):
                    result = await chat.turn(caller, "bench", "go")
                assert result.steps and not next(iter(result.steps.values())).is_error

            async def turn_without_tool() -> None:
                with override_model(model(with_tool=False)):
                    await chat.turn(caller, "bench", "go")

            sides = {"direct": direct, "with tool": turn_with_tool, "no tool": turn_without_tool}
            for call in sides.values():  # warm-up: imports, prepared statements, caches
                await timed(call, 20)
            samples: dict[str, list[float]] = {name: [] for name in sides}
            per_round = max(1, args.turns // args.rounds)
            for round_index in range(args.rounds):
                order = list(sides) if round_index % 2 == 0 else list(reversed(sides))
                for name in order:
                    samples[name] += await timed(sides[name], per_round)

    p50 = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    step = p50["with tool"] - p50["no tool"]
    print(f"{'side':<24} {'p50 ms':>8}")
    for name, value in p50.items():
        print(f"{name:<24} {value:8.3f}")
    print(f"{'tool step (difference)':<24} {step:8.3f}")
    print(f"tool step / direct runner call: {step / p50['direct']:.2f}x (target <= 1.2x)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=300, help="timed calls per side (default 300)")
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds (default 6)")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
