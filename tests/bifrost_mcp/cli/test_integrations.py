from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from bifrost.types import IntegrationData
from bifrost_mcp.cli.integrations import integrations
from bifrost_mcp.data.secrets import ENV_VAR
from tests.support.cli import DataCli, data_groups
from tests.support.data_dir import files_containing, opened_host


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataCli:
    monkeypatch.delenv(ENV_VAR, raising=False)
    return DataCli(tmp_path / "data", data_groups())


def _resolve(data_dir: Path, name: str, org_id: str) -> IntegrationData | None:
    async def body() -> IntegrationData | None:
        async with opened_host(data_dir) as host:
            return await host.integrations.resolve(name, org_id)

    return anyio.run(body)


def test_create_map_and_set_oauth_store_everything_and_show_secrets_masked(cli: DataCli) -> None:
    org = cli.json("orgs", "create", "Acme")
    created = cli.json(
        "integrations", "create", "HaloPSA",
        "--token-url", "https://halo.example.com/token",
        "--client-id", "halo-client",
        "--client-secret", "-",
        "--scope", "all",
        "--config", "base_url=https://default.halo",
        input="halo-client-secret-01\n",
    )  # fmt: skip
    mapped = cli.json(
        "integrations", "map", "HaloPSA", "--org", "Acme",
        "--entity-id", "acme-1", "--entity-name", "Acme Ltd", "--config", "base_url=https://acme.halo",
    )  # fmt: skip
    stored = cli.json(
        "integrations", "set-oauth", "HaloPSA", "--org", org["id"],
        "--access-token", "access-cli-02", "--refresh-token", "refresh-cli-03", "--expires-at", "2099-01-01T12:00:00",
    )  # fmt: skip

    assert (created["client_id"], created["client_secret"], created["scopes"]) == ("halo-client", "[SECRET]", ["all"])
    assert (mapped["entity_id"], mapped["entity_name"], mapped["organization_id"]) == ("acme-1", "Acme Ltd", org["id"])
    assert (stored["access_token"], stored["refresh_token"]) == ("[SECRET]", "[SECRET]")
    assert stored["expires_at"] == "2099-01-01T12:00:00+00:00"  # no zone given: UTC
    shown = cli.json("integrations", "show", "HaloPSA")
    assert shown["integration"] == created
    assert shown["mappings"] == [stored]
    listing = cli.ok("integrations", "list") + cli.ok("integrations", "show", "HaloPSA")
    assert "[SECRET]" in listing
    for secret in ("halo-client-secret-01", "access-cli-02", "refresh-cli-03"):
        assert secret not in listing
        assert files_containing(cli.data_dir, secret) == []
    data = _resolve(cli.data_dir, "HaloPSA", org["id"])
    assert data is not None and data.oauth is not None
    assert (data.oauth.access_token, data.oauth.refresh_token) == ("access-cli-02", "refresh-cli-03")
    assert data.config == {"base_url": "https://acme.halo"}


def test_update_unmap_and_delete(cli: DataCli) -> None:
    cli.json("orgs", "create", "Acme")
    cli.ok("integrations", "create", "Graph")
    updated = cli.json("integrations", "update", "Graph", "--token-url", "https://login.example.com/{entity_id}/token")
    cli.ok("integrations", "map", "Graph", "--org", "Acme")

    assert updated["token_url"] == "https://login.example.com/{entity_id}/token"
    assert cli.json("integrations", "unmap", "Graph", "--org", "Acme")["unmapped"] is True
    assert "is not mapped to organization Acme" in cli.fails("integrations", "unmap", "Graph", "--org", "Acme")
    assert cli.json("integrations", "delete", "Graph")["deleted"] is True
    assert cli.json("integrations", "list") == []
    assert "no integration named 'Graph'" in cli.fails("integrations", "delete", "Graph")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["integrations", "create", "X", "--config", "novalue"], "--config 'novalue': expected KEY=VALUE"),
        (["integrations", "create", "X", "--token-url", "ftp://x/token"], "is not an http(s) URL"),
        (["integrations", "map", "Missing", "--org", "Acme"], "no integration named 'Missing'"),
        (["integrations", "set-oauth", "Graph", "--org", "Acme", "--access-token", "t-12"], "integrations map"),
        (
            ["integrations", "set-oauth", "Graph", "--org", "Acme", "--access-token", "t", "--expires-at", "soon"],
            "--expires-at 'soon' is not an ISO 8601 time",
        ),
        (
            ["integrations", "set-oauth", "Graph", "--org", "Acme", "--access-token", "-", "--refresh-token", "-"],
            "only one of --access-token, --refresh-token can be read from stdin",
        ),
    ],
)
def test_bad_input_is_an_error_that_says_what_to_fix(cli: DataCli, args: list[str], message: str) -> None:
    cli.json("orgs", "create", "Acme")
    cli.ok("integrations", "create", "Graph")

    assert message in cli.fails(*args)


def test_the_group_works_on_its_own(cli: DataCli) -> None:
    alone = DataCli(cli.data_dir, integrations)
    alone.ok("create", "Graph", "--client-id", "graph-client", "--client-secret", "graph-secret-04")
    (listed,) = alone.json("list")
    assert (listed["name"], listed["client_id"], listed["client_secret"]) == ("Graph", "graph-client", "[SECRET]")
    assert "graph-secret-04" not in alone.ok("list")
