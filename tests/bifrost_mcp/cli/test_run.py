"""`bifrost-mcp run`, invoked in-process against a temp data dir."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bifrost_mcp.cli.run import convert_arg, run_
from tests.support.cli import WorkspaceCli, alone
from tests.support.workspace import EXAMPLES


@pytest.fixture
def cli(tmp_path: Path) -> WorkspaceCli:
    return WorkspaceCli(tmp_path / "data")


def test_run_converts_each_arg_by_its_schema_type(cli: WorkspaceCli) -> None:
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


def test_run_takes_all_arguments_as_json_and_arg_overrides_them(cli: WorkspaceCli) -> None:
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


def test_run_prints_the_plain_result_without_json(cli: WorkspaceCli) -> None:
    text = cli.ok("run", "triage_ticket", "--arg", "subject=VPN", "--arg", "body=slow")
    assert json.loads(text)["queue"] == "network"


def test_a_failed_run_exits_1_with_the_error_on_stderr(cli: WorkspaceCli) -> None:
    result = cli.fails("run", "triage_ticket", "--arg", "subject=VPN", "--arg", "priority=urgent")
    assert result.stdout == ""
    assert result.stderr.startswith("error: Invalid arguments for 'triage_ticket': ")
    assert "body: required argument is missing" in result.stderr
    assert "priority: Input should be 'low', 'medium', 'high' or 'critical'" in result.stderr
    assert "(execution " in result.stderr


def test_a_failed_run_with_json_prints_the_payload_and_exits_1(cli: WorkspaceCli) -> None:
    result = cli.fails("run", "triage_ticket", "--args-json", '{"subject": "x"}', "--json")
    payload = json.loads(result.stdout)
    assert payload["status"] == "Failed"
    assert "body: required argument is missing" in payload["error"]
    assert payload["execution_id"] in result.stderr


def test_a_run_reporting_success_false_exits_1_with_its_error(cli: WorkspaceCli) -> None:
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
def test_bad_invocations_exit_1_saying_what_is_wrong(cli: WorkspaceCli, args: list[str], message: str) -> None:
    result = cli.fails(*args)
    assert result.stderr.startswith("error: ")
    assert message in result.stderr


def test_run_acts_as_the_given_token_user(tmp_path: Path) -> None:
    cli = WorkspaceCli(tmp_path / "data")
    token = cli.json("token", "reset", workspace=False)["token"]
    out = cli.json("run", "triage_ticket", "--arg", "subject=VPN", "--arg", "body=x", "--token", token)
    shown = cli.json("executions", "show", out["execution_id"], workspace=False)
    assert shown["executed_by_name"]


def test_the_command_works_on_its_own(tmp_path: Path) -> None:
    args = ["triage_ticket", "--arg", "subject=VPN", "--arg", "body=slow", "--json"]
    options = ["--workspace", str(EXAMPLES), "--data-dir", str(tmp_path / "data")]
    result = CliRunner().invoke(alone(run_), [*args, *options], env={"BIFROST_TOKEN": None})
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert json.loads(result.stdout)["result"]["queue"] == "network"


def test_a_platform_admin_cannot_run_in_a_deactivated_organization(cli: WorkspaceCli) -> None:
    org = cli.json("orgs", "create", "Initech", workspace=False)
    cli.ok("orgs", "deactivate", "Initech", workspace=False)
    result = cli.fails("run", "triage_ticket", "--arg", "subject=VPN", "--arg", "body=x", "--org", "Initech")
    assert result.stderr == (
        f"error: organization 'Initech' ({org['id']}) is deactivated: nobody acts in it, platform admins included;"
        " reactivate it first\n"
    )
    assert cli.json("executions", workspace=False) == []


def test_a_run_that_asks_the_person_fails_clearly_from_the_cli_and_progress_is_no_trouble(cli: WorkspaceCli) -> None:
    result = cli.fails("run", "place_new_hire", "--arg", "name=Dana Scully")
    assert result.stderr.startswith(
        "error: ClientUnavailableError: Cannot ask for input: this run was started by `bifrost-mcp run`, so there is "
        "no client to ask."
    ), result.stderr
    assert cli.json("run", "sync_mailboxes", "--arg", "count=2")["result"] == {"synced": 2}
