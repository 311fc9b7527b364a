from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from bifrost_mcp.cli.secrets import secrets
from bifrost_mcp.data.secrets import ENV_VAR, KEY_FILENAME
from tests.support.cli import DataCli, data_groups


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataCli:
    monkeypatch.delenv(ENV_VAR, raising=False)
    return DataCli(tmp_path / "data", data_groups())


def test_rotate_key_re_encrypts_under_a_new_key_file_and_values_stay_readable(cli: DataCli) -> None:
    cli.ok("config", "set", "--global", "api_key", "sk-rotate-0001", "--secret")
    cli.ok("config", "set", "--global", "plain", "p")
    old_key = (cli.data_dir / KEY_FILENAME).read_text()

    report = cli.json("secrets", "rotate-key")

    assert (report["source"], report["reencrypted"], report["new_key"]) == ("file", 1, None)
    new_key = (cli.data_dir / KEY_FILENAME).read_text()
    assert new_key != old_key and len(new_key.split()) == 1
    assert cli.ok("config", "get", "api_key", "--reveal") == "sk-rotate-0001\n"


def test_rotate_key_with_one_env_key_prints_the_new_key_and_the_steps(
    cli: DataCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = Fernet.generate_key().decode()
    monkeypatch.setenv(ENV_VAR, current)
    cli.ok("config", "set", "--global", "api_key", "sk-env-0002", "--secret")

    output = cli.ok("secrets", "rotate-key")

    lines = output.splitlines()
    new_key = next(line.removeprefix("new key: ") for line in lines if line.startswith("new key: "))
    Fernet(new_key.encode())
    assert new_key != current
    assert lines[0] == "re-encrypted 0 secret value(s) (env key)."
    assert f"Set {ENV_VAR}=<new key>,<current key>" in output
    monkeypatch.setenv(ENV_VAR, f"{new_key},{current}")
    assert cli.json("secrets", "rotate-key")["reencrypted"] == 1
    monkeypatch.setenv(ENV_VAR, new_key)
    assert cli.ok("config", "get", "api_key", "--reveal") == "sk-env-0002\n"


def test_generate_key_prints_a_valid_fernet_key_and_stores_nothing(cli: DataCli) -> None:
    result = CliRunner().invoke(cli.commands, ["secrets", "generate-key", "--json"])

    assert result.exit_code == 0, result.stderr
    Fernet(json.loads(result.stdout)["key"].encode())
    assert not cli.data_dir.exists()


def test_the_group_works_on_its_own(cli: DataCli) -> None:
    alone = DataCli(cli.data_dir, secrets)
    report = alone.json("rotate-key")
    assert (report["source"], report["reencrypted"]) == ("file", 0)
    assert (cli.data_dir / KEY_FILENAME).exists()
