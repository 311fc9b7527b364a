from __future__ import annotations

from pathlib import Path

import pytest

from bifrost_mcp.cli.config import config
from bifrost_mcp.data.secrets import ENV_VAR
from tests.support.cli import DataCli, data_groups
from tests.support.data_dir import files_containing


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataCli:
    monkeypatch.delenv(ENV_VAR, raising=False)
    return DataCli(tmp_path / "data", data_groups())


def test_config_set_then_get_round_trips_each_type(cli: DataCli) -> None:
    cli.ok("config", "set", "--global", "api_url", "https://api.example.com")
    cli.ok("config", "set", "--global", "retries", "5", "--type", "int")
    cli.ok("config", "set", "--global", "enabled", "yes", "--type", "bool")
    cli.ok("config", "set", "--global", "limits", '{"per_minute": 60, "ratio": 0.5}', "--type", "json")

    assert cli.json("config", "get", "api_url") == {
        "key": "api_url",
        "value": "https://api.example.com",
        "type": "string",
        "scope": "GLOBAL",
        "is_secret": False,
    }
    assert cli.json("config", "get", "retries")["value"] == 5
    assert cli.json("config", "get", "enabled")["value"] is True
    assert cli.json("config", "get", "limits")["value"] == {"per_minute": 60, "ratio": 0.5}
    assert cli.ok("config", "get", "api_url") == "https://api.example.com\n"
    assert cli.ok("config", "get", "limits") == '{"per_minute": 60, "ratio": 0.5}\n'


def test_a_secret_is_shown_masked_unless_reveal_is_given(cli: DataCli, tmp_path: Path) -> None:
    set_output = cli.ok("config", "set", "--global", "anthropic_api_key", "sk-ant-cli-0001", "--secret")

    assert "sk-ant-cli-0001" not in set_output
    assert cli.json("config", "get", "anthropic_api_key")["value"] == "[SECRET]"
    assert cli.ok("config", "get", "anthropic_api_key") == "[SECRET]\n"
    assert cli.json("config", "list") == [
        {"key": "anthropic_api_key", "value": "[SECRET]", "type": "secret", "scope": "GLOBAL", "is_secret": True}
    ]
    assert "sk-ant-cli-0001" not in cli.ok("config", "list")
    assert cli.ok("config", "get", "anthropic_api_key", "--reveal") == "sk-ant-cli-0001\n"
    assert files_containing(tmp_path, "sk-ant-cli-0001") == []


def test_a_secret_value_can_be_read_from_stdin(cli: DataCli) -> None:
    cli.ok("config", "set", "--global", "db_password", "-", "--secret", input="from-stdin-0002\n")

    assert cli.ok("config", "get", "db_password", "--reveal") == "from-stdin-0002\n"


def test_org_values_override_global_ones_and_list_shows_where_each_comes_from(cli: DataCli) -> None:
    org = cli.json("orgs", "create", "Acme")
    cli.ok("config", "set", "--global", "region", "us")
    cli.ok("config", "set", "--global", "timeout", "30", "--type", "int")
    cli.ok("config", "set", "region", "eu", "--org", "Acme")

    assert cli.json("config", "get", "region", "--org", "acme")["value"] == "eu"
    assert cli.json("config", "get", "timeout", "--org", org["id"])["scope"] == "GLOBAL"
    assert cli.json("config", "get", "region")["value"] == "us"
    assert [(e["key"], e["value"], e["scope"]) for e in cli.json("config", "list", "--org", "Acme")] == [
        ("region", "eu", org["id"]),
        ("timeout", 30, "GLOBAL"),
    ]


def test_delete_acts_on_one_scope_only(cli: DataCli) -> None:
    cli.json("orgs", "create", "Acme")
    cli.ok("config", "set", "--global", "region", "us")
    cli.ok("config", "set", "region", "eu", "--org", "Acme")

    assert cli.json("config", "delete", "region", "--org", "Acme")["deleted"] is True

    assert cli.json("config", "get", "region", "--org", "Acme")["value"] == "us"
    assert "no config key 'region' in organization Acme" in cli.fails("config", "delete", "region", "--org", "Acme")


def test_a_missing_key_is_an_error_that_says_where_it_looked(cli: DataCli) -> None:
    cli.json("orgs", "create", "Acme")

    assert "no config key 'nope' in GLOBAL;" in cli.fails("config", "get", "nope")
    assert "or GLOBAL" in cli.fails("config", "get", "nope", "--org", "Acme")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["config", "set", "--global", "n", "five", "--type", "int"], "--type int needs an integer VALUE, got 'five'"),
        (["config", "set", "--global", "b", "maybe", "--type", "bool"], "--type bool needs true or false"),
        (["config", "set", "--global", "j", "{oops", "--type", "json"], "--type json needs a JSON VALUE"),
        (["config", "set", "k", "v", "--org", "Nowhere"], "no organization with id or name 'Nowhere'"),
        (["config", "set", "--global", " k", "v"], "config key ' k' is invalid"),
    ],
)
def test_bad_input_is_an_error_that_says_what_to_fix(cli: DataCli, args: list[str], message: str) -> None:
    assert message in cli.fails(*args)


def test_the_group_works_on_its_own(cli: DataCli) -> None:
    alone = DataCli(cli.data_dir, config)
    alone.ok("set", "retries", "5", "--type", "int", "--global")
    assert alone.json("get", "retries")["value"] == 5
    assert [e["key"] for e in alone.json("list")] == ["retries"]


@pytest.mark.parametrize("command", [["set", "region", "us"], ["delete", "region"]])
def test_a_write_names_its_scope_so_global_is_never_written_by_omission(cli: DataCli, command: list[str]) -> None:
    cli.json("orgs", "create", "Acme")

    for target in ([], ["--global", "--org", "Acme"]):
        error = cli.fails("config", *command, *target)
        assert "pass exactly one of --org ORG or --global" in error and "GLOBAL is read by every organization" in error
    assert cli.json("config", "list") == []
    assert cli.json("config", "list", "--org", "Acme") == []
