"""`bifrost-mcp token reset`, invoked in-process against a temp data dir."""

from pathlib import Path

import anyio
import pytest

from bifrost_mcp.cli.token import token as token_group
from tests.support.cli import DataCli, WorkspaceCli
from tests.support.mcp import opened_app


@pytest.fixture
def cli(tmp_path: Path) -> WorkspaceCli:
    return WorkspaceCli(tmp_path / "data")


def test_token_reset_prints_a_new_working_token_and_stores_only_its_hash(cli: WorkspaceCli) -> None:
    first = cli.json("token", "reset", workspace=False)["token"]
    second = cli.json("token", "reset", workspace=False)["token"]
    assert first.startswith("bft_") and second.startswith("bft_") and first != second
    assert cli.ok("token", "reset", workspace=False).strip().startswith("bft_")  # plain output: just the token
    latest = cli.json("token", "reset", workspace=False)["token"]

    async def check() -> None:
        async with opened_app(cli.data_dir) as app:
            caller = await app.host.callers.for_token(latest)
            assert caller.is_platform_admin
            for revoked in (first, second):
                with pytest.raises(Exception, match="revoked"):
                    await app.host.callers.for_token(revoked)

    anyio.run(check)
    files = [p for p in cli.data_dir.rglob("*") if p.is_file()]
    assert files
    for token in (first, second, latest):
        assert [p.name for p in files if token.encode() in p.read_bytes()] == []


def test_the_group_works_on_its_own(tmp_path: Path) -> None:
    owner_token = DataCli(tmp_path / "data", token_group)
    # typer runs a group of one command as that command when the group is invoked by itself: no "reset" here
    assert owner_token.json()["token"].startswith("bft_")
