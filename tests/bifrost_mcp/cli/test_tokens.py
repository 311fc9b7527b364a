"""`bifrost-mcp tokens`: the group invoked by itself, in-process, against a temp data dir."""

from pathlib import Path

import pytest

from bifrost_mcp.cli.tokens import tokens
from bifrost_mcp.cli.users import users
from tests.support.cli import DataCli


@pytest.fixture
def cli(tmp_path: Path) -> DataCli:
    DataCli(tmp_path / "data", users).ok("create", "root@msp.test", "--name", "Root", "--platform-admin")
    return DataCli(tmp_path / "data", tokens)


def test_create_list_and_revoke(cli: DataCli) -> None:
    issued = cli.json("create", "root@msp.test", "--expires-days", "7")
    assert issued["token"].startswith("bft_")
    (listed,) = cli.json("list")
    assert (listed["id"], listed["user_email"], listed["revoked_at"]) == (issued["id"], "root@msp.test", None)
    assert issued["token"] not in cli.ok("list")

    assert cli.ok("revoke", issued["id"]) == f"revoked token {issued['id']}\n"

    assert cli.json("list")[0]["revoked_at"] is not None
