"""Ctrl-C in `bifrost-mcp chat`, for real: the command on a pseudo-terminal, a slow workflow, a scripted model.

The model is the loopback OpenAI server (the command runs in its own process, where no test model reaches),
and the command reads its key and address from GLOBAL config, as a deployment would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from bifrost.enums import ExecutionStatus
from tests.support.ai import MODELS, OPENAI_KEY
from tests.support.data_dir import db_rows, opened_host
from tests.support.loopback import Answer, OpenAIServer, RecordedRequest, Reply, ScriptedServer, ToolUse
from tests.support.poll import poll
from tests.support.process import hermetic_environment
from tests.support.terminal import CTRL_C, CTRL_D, Terminal
from tests.support.workspace import write_files

pytestmark = pytest.mark.slow

WORKSPACE = {
    "archive.py": """
        import anyio

        from bifrost import Agent, workflow


        @workflow(is_tool=True)
        async def slow_lookup(ticket: str) -> str:
            '''Look a ticket up in the archive, which takes a while.'''
            await anyio.sleep(120)
            return "archived"


        helpdesk = Agent("helpdesk", description="Service desk", tools=[slow_lookup])
    """,
}
PROMPT = "helpdesk> "
SLOW_QUESTION = "Where is T-9?"


def answer(request: RecordedRequest) -> Answer:
    """The archive question calls the slow tool; anything else is answered at once."""
    last = request.body["messages"][-1]
    if last["role"] == "user" and last["content"] == SLOW_QUESTION:
        return Reply(tool_calls=[ToolUse("slow_lookup", {"ticket": "T-9"})])
    return Reply(f"You said: {last['content']}")


@pytest.fixture
def model() -> Iterator[ScriptedServer]:
    with OpenAIServer(handler=answer, api_key=OPENAI_KEY) as server:
        yield server


@pytest.fixture
def dirs(tmp_path: Path, model: ScriptedServer) -> tuple[Path, Path]:
    """The data dir, its GLOBAL config pointing at the model, and the workspace (imported by the command only)."""
    data_dir = tmp_path / "data"

    async def configure() -> None:
        async with opened_host(data_dir) as host:
            for key, value in {
                "openai_api_key": OPENAI_KEY,
                "openai_base_url": model.base_url,
                "ai_default_model": f"openai:{MODELS['openai']}",
            }.items():
                await host.config.set("GLOBAL", key, value)

    anyio.run(configure)
    return data_dir, write_files(tmp_path / "ws", WORKSPACE)


def chat_terminal(data_dir: Path, workspace: Path) -> Terminal:
    env = {**hermetic_environment(), "NO_COLOR": "1"}
    return Terminal("chat", "--agent", "helpdesk", "--data-dir", str(data_dir), "--workspace", str(workspace), env=env)


def statuses(data_dir: Path) -> list[str]:
    """The slow tool's execution records' statuses, read from the database as another process would."""
    rows = db_rows(data_dir, "SELECT status FROM executions WHERE workflow_name = 'slow_lookup'")
    return [row["status"] for row in rows]


def user_messages(request: RecordedRequest) -> list[Any]:
    return [m["content"] for m in request.body["messages"] if m["role"] == "user"]


async def test_ctrl_c_stops_the_running_turn_and_its_tool_and_the_session_goes_on(
    dirs: tuple[Path, Path], model: ScriptedServer
) -> None:
    data_dir, workspace = dirs
    with chat_terminal(data_dir, workspace) as terminal:
        seen = await terminal.expect(PROMPT)
        terminal.type(SLOW_QUESTION + "\n")
        seen = await terminal.expect('→ slow_lookup {"ticket": "T-9"}', after=seen)
        await poll(lambda: statuses(data_dir) == [ExecutionStatus.RUNNING.value], what="the tool's run to start")

        terminal.type(CTRL_C)
        seen = await terminal.expect("(interrupted: the turn was stopped", after=seen)
        seen = await terminal.expect(PROMPT, after=seen)
        cancelled = [ExecutionStatus.CANCELLED.value]  # on disk with the execution store's next group commit
        await poll(lambda: statuses(data_dir) == cancelled, what="the tool's run to be recorded Cancelled")
        assert terminal.process is not None and terminal.process.poll() is None

        terminal.type("Still there?\n")
        seen = await terminal.expect("You said: Still there?", after=seen)
        await terminal.expect(PROMPT, after=seen)
        terminal.type(CTRL_C)  # at the prompt: the session ends
        assert await terminal.exited() == 0

    # the stopped turn's question stayed in the conversation the session went on with
    assert user_messages(model.requests[-1]) == [SLOW_QUESTION, "Still there?"]
    [conversation] = db_rows(data_dir, "SELECT id FROM conversations")
    [execution] = db_rows(data_dir, "SELECT session_id FROM executions")
    assert execution["session_id"] == conversation["id"]
    rows = db_rows(data_dir, "SELECT body_json FROM conversation_messages ORDER BY seq")
    messages = [json.loads(row["body_json"]) for row in rows]
    assert [(m["kind"], m["text"]) for m in messages] == [
        ("user", SLOW_QUESTION), ("user", "Still there?"), ("assistant", "You said: Still there?")
    ]  # fmt: skip


async def test_ctrl_d_at_the_prompt_ends_the_session(dirs: tuple[Path, Path]) -> None:
    data_dir, workspace = dirs
    with chat_terminal(data_dir, workspace) as terminal:
        await terminal.expect(PROMPT)
        terminal.type(CTRL_D)
        assert await terminal.exited() == 0
