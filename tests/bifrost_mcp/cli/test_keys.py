"""`bifrost-mcp keys`: the group invoked by itself, in-process, against a temp data dir."""

from pathlib import Path

import pytest

from bifrost_mcp.cli.keys import keys
from bifrost_mcp.cli.orgs import orgs
from tests.support.cli import DataCli


@pytest.fixture
def cli(tmp_path: Path) -> DataCli:
    DataCli(tmp_path / "data", orgs).ok("create", "Acme")
    return DataCli(tmp_path / "data", keys)


def test_create_list_and_revoke(cli: DataCli) -> None:
    acme = cli.json("create", "--org", "Acme", "--name", "Acme RMM")
    platform = cli.json("create", "--global", "--name", "Monitoring")
    assert acme["token"].startswith("bfk_") and platform["token"].startswith("bfk_")
    listed = {k["name"]: k for k in cli.json("list")}
    assert (listed["Acme RMM"]["organization_id"] is not None, listed["Monitoring"]["organization_id"]) == (True, None)
    assert "GLOBAL" in cli.ok("list")

    assert cli.ok("revoke", platform["id"]) == f"revoked function key {platform['id']}\n"

    assert {k["name"]: k["revoked_at"] is not None for k in cli.json("list")} == {"Acme RMM": False, "Monitoring": True}


@pytest.mark.parametrize("scope", [[], ["--org", "Acme", "--global"]])
def test_a_key_is_for_exactly_one_organization_or_global(cli: DataCli, scope: list[str]) -> None:
    assert "pass exactly one of --org ORG or --global" in cli.fails("create", "--name", "RMM", *scope)


def test_a_global_key_writes_global_only_when_created_with_global_write(cli: DataCli) -> None:
    reader = cli.json("create", "--global", "--name", "Monitoring")
    writer = cli.json("create", "--global", "--global-write", "--name", "Provisioning")
    listed = {k["name"]: k["global_write"] for k in cli.json("list")}
    assert listed == {"Monitoring": False, "Provisioning": True}
    table = cli.ok("list")
    assert f"{reader['id']}  Monitoring    GLOBAL " in table
    assert f"{writer['id']}  Provisioning  GLOBAL (writes) " in table


def test_global_write_is_refused_for_an_organizations_key(cli: DataCli) -> None:
    assert cli.fails("create", "--org", "Acme", "--global-write", "--name", "RMM") == (
        "error: --global-write is for GLOBAL keys: pass --global with it (an organization's key writes its "
        "organization)\n"
    )
    assert cli.json("list") == []
