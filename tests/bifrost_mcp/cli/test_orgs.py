"""`bifrost-mcp orgs`: the group invoked by itself, in-process, against a temp data dir."""

from pathlib import Path

import pytest

from bifrost_mcp.cli.orgs import orgs
from tests.support.cli import DataCli


@pytest.fixture
def cli(tmp_path: Path) -> DataCli:
    return DataCli(tmp_path / "data", orgs)


def test_create_list_and_deactivate(cli: DataCli) -> None:
    created = cli.json("create", "Acme", "--domain", "acme.test")
    assert (created["name"], created["domain"], created["is_active"]) == ("Acme", "acme.test", True)
    assert cli.ok("list").splitlines()[0].split() == ["ID", "NAME", "DOMAIN", "STATUS"]

    assert cli.json("deactivate", "Acme")["is_active"] is False

    assert [(o["id"], o["is_active"]) for o in cli.json("list")] == [(created["id"], False)]
    assert "deactivated" in cli.ok("list")


def test_an_unknown_organization_is_an_error_that_names_it(cli: DataCli) -> None:
    assert "no organization with id or name 'Nowhere'" in cli.fails("deactivate", "Nowhere")
