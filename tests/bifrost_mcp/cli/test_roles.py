"""`bifrost-mcp roles`: the group invoked by itself, in-process, against a temp data dir."""

from pathlib import Path

import pytest

from bifrost_mcp.cli.orgs import orgs
from bifrost_mcp.cli.roles import roles
from bifrost_mcp.cli.users import users
from tests.support.cli import DataCli


@pytest.fixture
def cli(tmp_path: Path) -> DataCli:
    DataCli(tmp_path / "data", orgs).ok("create", "Acme")
    for email in ("ada@acme.test", "bob@acme.test"):
        DataCli(tmp_path / "data", users).ok("create", email, "--name", email, "--org", "Acme")
    return DataCli(tmp_path / "data", roles)


def test_create_assign_and_list(cli: DataCli) -> None:
    role = cli.json("create", "Technician", "--org", "Acme", "--description", "Resets passwords")

    assigned = cli.json("assign", "Technician", "--users", "ada@acme.test", "--users", "bob@acme.test", "--org", "Acme")

    assert (assigned["id"], len(assigned["user_ids"])) == (role["id"], 2)
    assert [(r["name"], r["description"]) for r in cli.json("list", "--org", "Acme")] == [
        ("Technician", "Resets passwords")
    ]


def test_a_role_of_no_organization_is_an_error_that_says_to_pass_org(cli: DataCli) -> None:
    assert "no role 'Technician'; pass --org" in cli.fails("assign", "Technician", "--users", "ada@acme.test")
