"""`bifrost-mcp chat`, in-process against a temp data dir and a small workspace, with an offline model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from typer.testing import CliRunner, Result

from bifrost.llm import ChatRequest, ToolCall
from bifrost.testing import FunctionModel, TestModel, override_model
from bifrost_mcp.cli import cli as bifrost_cli
from tests.support.approvals import deleting_model
from tests.support.data_dir import opened_host
from tests.support.workspace import workspace_modules_dropped, write_files

WORKSPACE = {
    "tickets.py": """
from bifrost import Agent, workflow


@workflow(is_tool=True)
async def lookup_ticket(ticket: str) -> dict:
    '''Look a ticket up.'''
    return {"ticket": ticket, "status": "open"}


DELETED = []


@workflow(is_tool=True, requires_approval=True)
async def delete_ticket(ticket: str) -> str:
    '''Delete a ticket for good.'''
    DELETED.append(ticket)
    return f"deleted {ticket}"


helpdesk = Agent("helpdesk", description="Service desk", tools=[lookup_ticket, delete_ticket])
technicians = Agent("technicians", description="For technicians", tools=[lookup_ticket], roles=["Technician"])
""",
}


class ChatCli:
    def __init__(self, data_dir: Path, workspace: Path) -> None:
        self.data_dir = data_dir
        self.workspace = workspace

    def __call__(self, *args: str, input: str | None = None) -> Result:
        options = ["--data-dir", str(self.data_dir), "--workspace", str(self.workspace)]
        return CliRunner().invoke(bifrost_cli, ["chat", *args, *options], input=input, env={"BIFROST_TOKEN": None})

    def ok(self, *args: str, input: str | None = None) -> str:
        result = self(*args, input=input)
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result.stdout

    def fails(self, *args: str, input: str | None = None) -> str:
        result = self(*args, input=input)
        assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
        return result.stderr


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[ChatCli]:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        root.mkdir()
        write_files(root, WORKSPACE)
        yield ChatCli(tmp_path / "data", root)


def member_token(data_dir: Path) -> str:
    async def create() -> str:
        async with opened_host(data_dir) as host:
            acme = await host.identity.create_org("Acme")
            ada = await host.identity.create_user("ada@acme.test", "Ada", org_id=acme.id)
            return (await host.credentials.create_token(ada.id)).token

    return anyio.run(create)


def test_a_message_is_answered_once_with_its_tool_step_shown(cli: ChatCli) -> None:
    model = TestModel("Ticket T-1 is open.", tool_calls=[ToolCall("c1", "lookup_ticket", {"ticket": "T-1"})])
    with override_model(model):
        out = cli.ok("--agent", "helpdesk", "--message", "Is T-1 open?")

    assert '→ lookup_ticket {"ticket": "T-1"}' in out
    assert "← lookup_ticket ok execution " in out
    assert out.rstrip().endswith("Ticket T-1 is open.")


def test_json_prints_the_turn_with_its_steps_and_usage_for_scripts(cli: ChatCli) -> None:
    model = TestModel("Ticket T-1 is open.", tool_calls=[ToolCall("c1", "lookup_ticket", {"ticket": "T-1"})])
    with override_model(model):
        turn = json.loads(cli.ok("--agent", "helpdesk", "--message", "Is T-1 open?", "--json"))

    assert turn["agent"] == "helpdesk" and turn["answer"] == "Ticket T-1 is open." and turn["conversation_id"]
    (step,) = turn["steps"]
    assert step["tool_call_id"] == "c1" and step["execution_id"] and step["is_error"] is False
    assert json.loads(step["text"])["status"] == "open"
    assert set(turn["usage"]) == {"input_tokens", "output_tokens"}


def test_a_conversation_given_continues_with_its_agent_and_history(cli: ChatCli) -> None:
    seen: list[ChatRequest] = []

    def reply(request: ChatRequest) -> str:
        seen.append(request)
        return f"answer {len(seen)}"

    with override_model(FunctionModel(reply)):
        first = json.loads(cli.ok("--agent", "helpdesk", "--message", "Hello", "--json"))
        second = json.loads(cli.ok("--conversation", first["conversation_id"], "--message", "Again", "--json"))

    assert second["conversation_id"] == first["conversation_id"] and second["agent"] == "helpdesk"
    assert [m.content for m in seen[1].messages] == ["Hello", "answer 1", "Again"]


def test_the_interactive_session_keeps_the_conversation_and_obeys_its_commands(cli: ChatCli) -> None:
    seen: list[ChatRequest] = []

    def reply(request: ChatRequest) -> str:
        seen.append(request)
        return f"answer {len(seen)}"

    lines = ["Hello", "Again", "/agents", "/new", "Fresh start", "/agent assistant", "Hi assistant", "/exit", "never"]
    with override_model(FunctionModel(reply)):
        out = cli.ok("--agent", "helpdesk", input="\n".join(lines) + "\n")

    assert "answer 1" in out and "answer 2" in out and "answer 4" in out
    assert [m.content for m in seen[1].messages] == ["Hello", "answer 1", "Again"]  # one conversation
    assert [m.content for m in seen[2].messages] == ["Fresh start"]  # /new
    assert [m.content for m in seen[3].messages] == ["Hi assistant"]  # /agent switches, in a new conversation
    assert "* helpdesk" in out and "technicians" in out and "assistant" in out  # /agents: the owner sees all
    assert len(seen) == 4  # /exit ended it before "never"


def test_end_of_input_ends_the_session(cli: ChatCli) -> None:
    with override_model(TestModel("hi")):
        out = cli.ok(input="Hello\n")

    assert "chatting with assistant" in out and "hi" in out


def test_a_hidden_agent_answers_exactly_like_an_unknown_one(cli: ChatCli) -> None:
    token = member_token(cli.data_dir)
    with override_model(TestModel("never")):
        hidden = cli.fails("--token", token, "--agent", "technicians", "--message", "hi")
        unknown = cli.fails("--token", token, "--agent", "nobody", "--message", "hi")
        hidden_interactive = cli.fails("--token", token, "--agent", "technicians", input="hi\n")
        session = cli("--token", token, "--agent", "helpdesk", input="/agents\n/agent technicians\n")

    assert hidden.replace("technicians", "X") == unknown.replace("nobody", "X")
    assert hidden.startswith("error: no agent named 'technicians'") and len(hidden.strip().splitlines()) == 1
    assert hidden_interactive == hidden
    assert session.exit_code == 0 and "helpdesk" in session.stdout and "technicians" not in session.stdout
    assert session.stderr.startswith("error: no agent named 'technicians'")  # /agent refuses it, session goes on


def test_a_bad_token_and_a_missing_model_are_one_line_errors(cli: ChatCli, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = cli.fails("--token", "bft_not-a-token", "--message", "hi")
    no_model = cli.fails("--agent", "helpdesk", "--message", "hi")

    assert bad.startswith("error: ") and len(bad.strip().splitlines()) == 1
    assert no_model.startswith("error: ") and len(no_model.strip().splitlines()) == 1


def test_json_without_a_message_is_refused(cli: ChatCli) -> None:
    assert "--json needs --message" in cli.fails("--json")


def executions(data_dir: Path, workflow: str) -> list[dict[str, object]]:
    async def query() -> list[dict[str, object]]:
        async with opened_host(data_dir) as host:
            return [r.input_data for r in await host.executions.query(workflow_name=workflow)]

    return anyio.run(query)


@pytest.mark.parametrize(("answer", "ran"), [("y", [{"ticket": "T-7"}]), ("n", []), ("", [])])
def test_an_interactive_session_asks_before_a_held_call_runs(
    cli: ChatCli, answer: str, ran: list[dict[str, object]]
) -> None:
    with override_model(deleting_model()):
        out = cli.ok("--agent", "helpdesk", input=f"Delete T-7\n{answer}\n/exit\n")

    assert '? delete_ticket {"ticket": "T-7"} waits for your approval' in out
    assert 'Run delete_ticket with these arguments?\n{\n  "ticket": "T-7"\n}\napprove? [y/N]' in out
    assert executions(cli.data_dir, "delete_ticket") == ran
    if ran:
        assert "approved: delete_ticket" in out and "Result: deleted T-7" in out
    else:
        assert "denied: delete_ticket" in out and "Result: The user denied this call" in out


def test_end_of_input_at_the_approval_prompt_leaves_the_call_unanswered(cli: ChatCli) -> None:
    with override_model(deleting_model()):
        out = cli.ok("--agent", "helpdesk", input="Delete T-7\n")

    assert "unanswered: delete_ticket" in out and executions(cli.data_dir, "delete_ticket") == []


def test_a_message_ending_on_a_held_call_says_how_to_decide_and_a_next_message_does(cli: ChatCli) -> None:
    with override_model(deleting_model()):
        held = json.loads(cli.ok("--agent", "helpdesk", "--message", "Delete T-7", "--json"))
        conversation = held["conversation_id"]
        text = cli.ok("--conversation", conversation, "--message", "What was that?")
        again = json.loads(cli.ok("--conversation", conversation, "--message", "Delete T-7", "--json"))
        decided = json.loads(cli.ok("--conversation", conversation, "--message", "approve", "--json"))

    assert held["pending_approvals"] == [
        {"tool_call_id": "c1", "name": "delete_ticket", "arguments": {"ticket": "T-7"}}
    ]
    assert "Result: This call needed the user's approval and did not get it" in text  # moved on: unanswered
    assert again["pending_approvals"] and decided["pending_approvals"] == []
    assert decided["answer"] == "Result: deleted T-7"
    assert executions(cli.data_dir, "delete_ticket") == [{"ticket": "T-7"}]
