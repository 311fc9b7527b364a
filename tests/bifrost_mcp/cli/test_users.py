"""`bifrost-mcp users`: the group invoked by itself, in-process, against a temp data dir."""

from pathlib import Path

import pytest

from bifrost_mcp.cli.orgs import orgs
from bifrost_mcp.cli.users import users
from tests.support.cli import DataCli


@pytest.fixture
def cli(tmp_path: Path) -> DataCli:
    DataCli(tmp_path / "data", orgs).ok("create", "Acme")
    return DataCli(tmp_path / "data", users)


def test_create_list_and_deactivate(cli: DataCli) -> None:
    member = cli.json("create", "ada@acme.test", "--name", "Ada", "--org", "Acme")
    admin = cli.json("create", "root@msp.test", "--name", "Root", "--platform-admin")
    assert (member["organization_id"] is not None, member["is_superuser"]) == (True, False)
    assert (admin["organization_id"], admin["is_superuser"]) == (None, True)
    assert [u["email"] for u in cli.json("list", "--org", "Acme")] == ["ada@acme.test"]

    assert cli.ok("deactivate", "ada@acme.test") == "deactivated user ada@acme.test\n"

    assert [u["is_active"] for u in cli.json("list", "--org", "Acme")] == [False]


def test_an_unknown_email_is_an_error_that_says_where_to_look(cli: DataCli) -> None:
    assert "no user with email 'nobody@acme.test'; see `bifrost-mcp users list`" in cli.fails(
        "deactivate", "nobody@acme.test"
    )
