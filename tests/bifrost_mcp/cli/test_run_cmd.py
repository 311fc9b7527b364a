"""`bifrost-mcp tools | run | executions | token reset`, invoked in-process against a temp data dir."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from typer.testing import CliRunner, Result

from bifrost_mcp.cli import app as cli_app
from bifrost_mcp.cli.run_cmd import convert_arg
from tests.support.mcp import opened_app
from tests.support.workspace import EXAMPLES, workspace_modules_dropped, write_files


class Cli:
    def __init__(self, data_dir: Path, workspace: Path = EXAMPLES) -> None:
        self.data_dir = data_dir
        self.workspace = workspace

    def __call__(self, *args: str, workspace: bool = True) -> Result:
        options = ["--data-dir", str(self.data_dir)]
        if workspace:
            options += ["--workspace", str(self.workspace)]
        return CliRunner().invoke(cli_app, [*args, *options], env={"BIFROST_TOKEN": None})

    def ok(self, *args: str, workspace: bool = True) -> str:
        result = self(*args, workspace=workspace)
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result.stdout

    def json(self, *args: str, workspace: bool = True) -> Any:
        return json.loads(self.ok(*args, "--json", workspace=workspace))

    def fails(self, *args: str, workspace: bool = True) -> Result:
        result = self(*args, workspace=workspace)
        assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "data")


def test_tools_json_lists_every_tool_with_its_input_schema(cli: Cli) -> None:
    tools = {t["name"]: t for t in cli.json("tools")}
    assert {"onboard_user", "patch_servers", "triage_ticket"} <= set(tools)
    triage = tools["triage_ticket"]
    assert triage["description"] == "Route a support ticket to a queue and set its SLA."
    assert triage["inputSchema"]["required"] == ["subject", "body"]
    assert triage["inputSchema"]["properties"]["priority"]["enum"] == ["low", "medium", "high", "critical"]
    assert triage["inputSchema"]["additionalProperties"] is False
    assert "outputSchema" in tools["onboard_user"]


def test_tools_without_json_is_a_table(cli: Cli) -> None:
    text = cli.ok("tools")
    assert text.splitlines()[0].split() == ["TOOL", "DESCRIPTION"]
    assert any(line.startswith("triage_ticket") for line in text.splitlines())


def test_run_converts_each_arg_by_its_schema_type(cli: Cli) -> None:
    out = cli.json(
        "run", "patch_servers", "--arg", 'servers=["srv-01","srv-02"]', "--arg", "reboot=true",
        "--arg", "seconds_per_server=0",
    )  # fmt: skip
    assert out["status"] == "Completed" and out["error"] is None
    assert out["result"] == {"success": True, "patched": ["srv-01", "srv-02"], "rebooted": True}
    triaged = cli.json(
        "run", "triage_ticket", "--arg", "subject=123", "--arg", "body=printer jam", "--arg", "priority=high",
        "--arg", "customer=null",
    )  # fmt: skip
    assert triaged["result"]["priority"] == "high"
    assert triaged["result"]["customer"] is None
    assert triaged["result"]["queue"] == "service-desk"


@pytest.mark.parametrize(
    ("raw", "schema", "value"),
    [
        ("123", {"type": "string"}, "123"),
        ("true", {"type": "string"}, "true"),
        ("123", {"type": "integer"}, 123),
        ("1.5", {"type": "number"}, 1.5),
        ("false", {"type": "boolean"}, False),
        ('["a", 1]', {"type": "array"}, ["a", 1]),
        ('{"k": "v"}', {"type": "object"}, {"k": "v"}),
        ("null", {"anyOf": [{"type": "string"}, {"type": "null"}]}, None),
        ("x", {"anyOf": [{"type": "string"}, {"type": "null"}]}, "x"),
        ("not json", {"type": "integer"}, "not json"),
        ("7", {}, 7),
    ],
)
def test_convert_arg(raw: str, schema: dict, value: Any) -> None:
    assert convert_arg(raw, schema) == value


def test_run_takes_all_arguments_as_json_and_arg_overrides_them(cli: Cli) -> None:
    hire = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "personal_email": "grace@example.org",
        "department": "finance",
        "start_date": "2026-12-01",
    }
    out = cli.json("run", "onboard_user", "--args-json", json.dumps({"hire": hire}), "--arg", "send_welcome=false")
    assert out["result"]["username"] == "ghopper"
    assert out["result"]["groups"] == ["all-staff", "finance", "erp-users"]
    assert not any("welcome pack" in item for item in out["result"]["checklist"])


def test_run_prints_the_plain_result_without_json(cli: Cli) -> None:
    text = cli.ok("run", "triage_ticket", "--arg", "subject=VPN", "--arg", "body=slow")
    assert json.loads(text)["queue"] == "network"


def test_a_failed_run_exits_1_with_the_error_on_stderr(cli: Cli) -> None:
    result = cli.fails("run", "triage_ticket", "--arg", "subject=VPN", "--arg", "priority=urgent")
    assert result.stdout == ""
    assert result.stderr.startswith("error: Invalid arguments for 'triage_ticket': ")
    assert "body: required argument is missing" in result.stderr
    assert "priority: Input should be 'low', 'medium', 'high' or 'critical'" in result.stderr
    assert "(execution " in result.stderr


def test_a_failed_run_with_json_prints_the_payload_and_exits_1(cli: Cli) -> None:
    result = cli.fails("run", "triage_ticket", "--args-json", '{"subject": "x"}', "--json")
    payload = json.loads(result.stdout)
    assert payload["status"] == "Failed"
    assert "body: required argument is missing" in payload["error"]
    assert payload["execution_id"] in result.stderr


def test_a_run_reporting_success_false_exits_1_with_its_error(cli: Cli) -> None:
    result = cli.fails("run", "triage_ticket", "--arg", "subject=hello", "--arg", "body=nothing to route", "--json")
    payload = json.loads(result.stdout)
    assert payload["status"] == "CompletedWithErrors"
    assert payload["result"]["success"] is False
    assert "error: no queue matches this ticket; route it by hand (execution " in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "no_such_workflow"], "no workflow named 'no_such_workflow'; known: "),
        (["run", "triage_ticket", "--args-json", "{not json"], "--args-json is not valid JSON"),
        (["run", "triage_ticket", "--args-json", "[1, 2]"], "--args-json must be a JSON object"),
        (["run", "triage_ticket", "--arg", "subject"], "--arg takes key=value, got 'subject'"),
        (["run", "triage_ticket", "--token", "bft_unknown"], "unknown token"),
    ],
)
def test_bad_invocations_exit_1_saying_what_is_wrong(cli: Cli, args: list[str], message: str) -> None:
    result = cli.fails(*args)
    assert result.stderr.startswith("error: ")
    assert message in result.stderr


def test_executions_lists_runs_newest_first(cli: Cli) -> None:
    first = cli.json("run", "triage_ticket", "--arg", "subject=VPN", "--arg", "body=x")["execution_id"]
    second = cli.json("run", "patch_servers", "--arg", 'servers=["a"]', "--arg", "seconds_per_server=0")
    listed = cli.json("executions", workspace=False)
    assert [e["execution_id"] for e in listed] == [second["execution_id"], first]
    assert [e["workflow_name"] for e in listed] == ["patch_servers", "triage_ticket"]
    assert {e["status"] for e in listed} == {"Completed"}
    text = cli.ok("executions", workspace=False)
    assert text.splitlines()[0].split() == ["ID", "WORKFLOW", "STATUS", "STARTED", "MS"]
    assert first in text and second["execution_id"] in text
    assert cli.json("executions", "--limit", "1", workspace=False)[0]["execution_id"] == second["execution_id"]


def test_executions_show_has_the_logs_in_order(cli: Cli) -> None:
    run = cli.json(
        "run", "patch_servers", "--arg", 'servers=["web-1","web-2"]', "--arg", "reboot=true",
        "--arg", "seconds_per_server=0",
    )  # fmt: skip
    shown = cli.json("executions", "show", run["execution_id"], workspace=False)
    assert shown["execution_id"] == run["execution_id"]
    assert shown["status"] == "Completed"
    assert shown["input_data"] == {"servers": ["web-1", "web-2"], "reboot": True, "seconds_per_server": 0}
    assert [(log["level"], log["message"]) for log in shown["logs"]] == [
        ("INFO", "patching web-1 (1/2)"),
        ("INFO", "rebooting web-1"),
        ("INFO", "patching web-2 (2/2)"),
        ("INFO", "rebooting web-2"),
        ("INFO", "patched 2 server(s)"),
    ]
    assert shown["logs"][1]["metadata"] == {"stream": "stdout"}
    assert shown["logs"][0]["metadata"] == {"execution_id": run["execution_id"]}
    text = cli.ok("executions", "show", run["execution_id"], workspace=False)
    assert "status:    Completed" in text and "rebooting web-2" in text


def test_executions_show_of_an_unknown_id_exits_1(cli: Cli) -> None:
    result = cli.fails("executions", "show", "no-such-id", workspace=False)
    assert "no execution 'no-such-id'" in result.stderr


def test_token_reset_prints_a_new_working_token_and_stores_only_its_hash(cli: Cli) -> None:
    first = cli.json("token", "reset", workspace=False)["token"]
    second = cli.json("token", "reset", workspace=False)["token"]
    assert first.startswith("bft_") and second.startswith("bft_") and first != second
    assert cli.ok("token", "reset", workspace=False).strip().startswith("bft_")  # plain output: just the token
    latest = cli.json("token", "reset", workspace=False)["token"]

    async def check() -> None:
        async with opened_app(cli.data_dir) as app:
            caller = await app.caller_for_token(latest)
            assert caller.is_platform_admin
            for revoked in (first, second):
                with pytest.raises(Exception, match="revoked"):
                    await app.caller_for_token(revoked)

    anyio.run(check)
    files = [p for p in cli.data_dir.rglob("*") if p.is_file()]
    assert files
    for token in (first, second, latest):
        assert [p.name for p in files if token.encode() in p.read_bytes()] == []


def test_run_acts_as_the_given_token_user(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "data")
    token = cli.json("token", "reset", workspace=False)["token"]
    out = cli.json("run", "triage_ticket", "--arg", "subject=VPN", "--arg", "body=x", "--token", token)
    shown = cli.json("executions", "show", out["execution_id"], workspace=False)
    assert shown["executed_by_name"]


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        write_files(
            root,
            {
                "ok_flows.py": """
                    from bifrost import workflow


                    @workflow(is_tool=True)
                    async def hello(name: str) -> str:
                        return f"hello {name}"
                """,
                "broken_flows.py": "import not_installed_anywhere\n",
            },
        )
        yield root


def test_workspace_errors_are_reported_on_stderr_and_the_rest_still_runs(tmp_path: Path, workspace: Path) -> None:
    cli = Cli(tmp_path / "data", workspace)
    result = cli("tools", "--json")
    assert result.exit_code == 0
    assert [t["name"] for t in json.loads(result.stdout)] == ["hello", "search_knowledge"]
    assert "workspace error: broken_flows.py:1: ModuleNotFoundError" in result.stderr
    assert json.loads(cli.ok("run", "hello", "--arg", "name=Ada")) == "hello Ada"
