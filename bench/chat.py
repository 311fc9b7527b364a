"""Chat costs in one run: time to first token over the two streaming APIs, and one agent tool step.

First token: how long a client waits for the first streamed token of an answer, through our HTTP server
(uvicorn on 127.0.0.1) against a loopback OpenAI-compatible model server (tests.support.loopback, the real wire
protocol, answering at once), minus how long the same client library waits for the first token when it calls
that model server directly. The difference is what we add: the bearer gate, the conversation (the user's
message is stored before the model is called), the model's resolution from config, the agent loop, the
translation into the API's events and the extra HTTP hop. Per API:
- OpenAI-compatible: the official `openai` SDK, `POST /v1/chat/completions` with `stream: true`, against the
  same SDK calling the model server's own /v1/chat/completions;
- AG-UI: httpx2 streaming `POST /api/chat` until TEXT_MESSAGE_CONTENT, against httpx2 streaming the model
  server's chunks until the first content delta.
A first message starts a new conversation of a member of an organization (token auth, org then GLOBAL
config), and /v1 is timed again at turn 11, the client resending the ten earlier turns as chat UIs do (the
server finds the conversation by them and reads it back for the model).

For reference, /v1 also goes through a bare proxy (Starlette and the same SDK call, nothing else): what a
second HTTP hop in Python costs here, whoever serves it; ours minus it is bifrost's own work.
Client, server and model server share this process (the model server on a thread of its own): the figures
are CPU work on one machine's loopback, the client's share included, not a network's latency.

Tool step: one agent tool step against calling the same workflow directly through the runner, with
`bifrost.testing.FunctionModel` (instant, in process), so every figure is the host's own cost:
- direct: `App.run(echo, {"text": ...}, caller)`, the path an MCP tools/call takes once the request is parsed;
- tool step: a `Chat.turn` whose model asks for `echo` once and then answers, minus a turn that answers at
  once: what running a tool inside an agent turn adds (the loop, the events, the stored tool call and result,
  and the host's side of the second model call that reads the result);
- tool call in a turn: from the loop's ToolStarted to its ToolFinished, the same `App.run` as the direct
  side, reached through the agent's tool: the tool's own share of the step.

The sides run in rounds, in an order reversed every round, so that other load on the machine lands on all of
them alike: the first-token sides one call each in turn, the tool-step sides a round's calls each in a row.

    .venv/bin/python bench/chat.py                  # defaults: well under a minute
    .venv/bin/python bench/chat.py --turns 1000 --rounds 10

Targets (issue 13): first token at most 5 ms over the model's own at p50; a tool step at most 1.2x the
direct runner call at p50.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.first_token import first_token_sides
from bifrost.llm import ChatRequest, ChatResult, ToolCall
from bifrost.testing import FunctionModel, override_model
from bifrost_mcp.agents.chat import Chat
from bifrost_mcp.agents.events import AgentEvent, ToolFinished, ToolStarted
from bifrost_mcp.app import App
from bifrost_mcp.server.memory import settle
from bifrost_mcp.settings import HostSettings

WORKSPACE = '''
from bifrost import Agent, workflow


@workflow(is_tool=True)
async def echo(text: str) -> str:
    """Echo the text."""
    return text


bench = Agent("bench", tools=[echo])
'''

# Seconds one call of a side took (or, for a first-token side, until its first token).
Side = Callable[[], Awaitable[float]]


def model(with_tool: bool) -> FunctionModel:
    def reply(request: ChatRequest) -> ChatResult:
        answered = request.messages[-1].role == "tool"
        if with_tool and not answered:
            return ChatResult(text="", tool_calls=(ToolCall("c1", "echo", {"text": "ping"}),))
        return ChatResult(text="done")

    return FunctionModel(reply)


def elapsed(call: Callable[[], Awaitable[None]]) -> Side:
    async def side() -> float:
        start = time.perf_counter()
        await call()
        return time.perf_counter() - start

    return side


async def tool_step_sides(app: App, chat: Chat) -> dict[str, Side]:
    caller = await app.host.callers.owner()

    async def direct() -> None:
        outcome = await app.run(app.registry.workflows["echo"], {"text": "ping"}, caller)
        assert outcome.ok, outcome.message

    async def turn_with_tool() -> None:
        with override_model(model(with_tool=True)):
            result = await chat.turn(caller, "bench", "go")
        assert result.steps and not next(iter(result.steps.values())).is_error

    async def turn_without_tool() -> None:
        with override_model(model(with_tool=False)):
            await chat.turn(caller, "bench", "go")

    async def tool_call_in_a_turn() -> float:
        marks: dict[type, float] = {}

        async def mark(event: AgentEvent) -> None:
            if isinstance(event, ToolStarted | ToolFinished):
                marks[type(event)] = time.perf_counter()

        with override_model(model(with_tool=True)):
            await chat.turn(caller, "bench", "go", on_event=mark)
        return marks[ToolFinished] - marks[ToolStarted]

    return {
        "direct": elapsed(direct),
        "with tool": elapsed(turn_with_tool),
        "no tool": elapsed(turn_without_tool),
        "tool call in a turn": tool_call_in_a_turn,
    }


async def measure(sides: dict[str, Side], args: argparse.Namespace, *, call_by_call: bool) -> dict[str, list[float]]:
    """Samples per side, in rounds whose order of sides reverses each round.

    `call_by_call`: the sides take turns one call at a time (for calls of milliseconds, so that a burst of
    other load hits them all alike); otherwise each side makes its round's calls in a row (for calls of
    microseconds, which another side's call in between would time with cold caches).
    """
    for side in sides.values():  # warm-up: imports, prepared statements, caches, kept-alive connections
        for _ in range(args.warmup):
            await side()
    samples: dict[str, list[float]] = {name: [] for name in sides}
    per_round = max(1, args.turns // args.rounds)
    for round_index in range(args.rounds):
        order = list(sides) if round_index % 2 == 0 else list(reversed(sides))
        turns = [order] * per_round if call_by_call else [[name] * per_round for name in order]
        for names in turns:
            for name in names:
                samples[name].append(await sides[name]())
    return samples


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000


def report_first_token(samples: dict[str, list[float]]) -> None:
    def row(label: str, p50: float, p95: float) -> None:
        print(f"  {label:<32} {p50:8.3f} {p95:8.3f}")

    def over(values: list[float], model_own: list[float]) -> tuple[float, float]:
        p50, p95 = (percentile(values, q) - percentile(model_own, q) for q in (0.5, 0.95))
        return p50, p95

    print(f"{'first token, ms':<34} {'p50':>8} {'p95':>8}")
    for api in (name.removesuffix(" (ours)") for name in samples if name.endswith(" (ours)")):
        print(api)
        model_own, ours, bare = samples[f"{api} (model)"], samples[f"{api} (ours)"], samples.get(f"{api} (bare proxy)")
        row("model's own", percentile(model_own, 0.5), percentile(model_own, 0.95))
        if bare is not None:
            row("through a bare proxy", percentile(bare, 0.5), percentile(bare, 0.95))
        row("through us", percentile(ours, 0.5), percentile(ours, 0.95))
        if bare is not None:
            row("bare proxy - model", *over(bare, model_own))
        row("ours - model (target p50 <= 5)", *over(ours, model_own))


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "ws"
        workspace.mkdir()
        (workspace / "bench_agent.py").write_text(WORKSPACE)
        settings = HostSettings(data_dir=Path(tmp) / "data", workspace=workspace)
        async with App.opened(settings) as app, first_token_sides(app) as streams:
            settle()  # as `serve` does once started
            samples = await measure(streams, args, call_by_call=True)
            samples |= await measure(await tool_step_sides(app, Chat(app)), args, call_by_call=False)

    report_first_token(samples)
    p50 = {name: percentile(samples[name], 0.5) for name in ("direct", "with tool", "no tool", "tool call in a turn")}
    step = p50["with tool"] - p50["no tool"]
    print(f"\n{'tool step, ms':<34} {'p50':>8}")
    for name, value in p50.items():
        print(f"  {name:<32} {value:8.3f}")
    print(f"  {'tool step (difference)':<32} {step:8.3f}")
    print(f"tool step / direct runner call: {step / p50['direct']:.2f}x (target <= 1.2x)")
    print(f"tool call in a turn / direct runner call: {p50['tool call in a turn'] / p50['direct']:.2f}x")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=200, help="timed calls per side (default 200)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (default 4)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls per side first (default 20)")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
