"""knowledge ingest | search | namespaces | reindex through the real CLI, a real data dir and the offline embedder."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import typer

from bifrost_mcp.cli.knowledge import knowledge
from bifrost_mcp.cli.orgs import orgs
from bifrost_mcp.knowledge.vectors import Space, VectorStore, persistent_client
from tests.support.cli import DataCli


@pytest.fixture
def cli(tmp_path: Path) -> DataCli:
    cli = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    cli.add_typer(orgs)
    cli.add_typer(knowledge)
    return DataCli(tmp_path / "data", cli)


@pytest.fixture
def runbooks(tmp_path: Path) -> Path:
    root = tmp_path / "runbooks"
    (root / "accounts").mkdir(parents=True)
    (root / "accounts" / "password-reset.md").write_text(
        "# Password reset\n\nUsers who forgot their password open the self-service portal and confirm with MFA.",
        encoding="utf-8",
    )
    (root / "printing.txt").write_text("Follow-me printing releases jobs at any office printer.", encoding="utf-8")
    (root / "vpn.html").write_text("<h1>VPN</h1><p>Connect with GlobalProtect to vpn.acme.test.</p>", encoding="utf-8")
    return root


def test_ingest_is_resumable_and_search_finds_by_meaning_within_the_org(cli: DataCli, runbooks: Path) -> None:
    cli.ok("orgs", "create", "Acme")
    cli.ok("orgs", "create", "Globex")
    assert cli.ok("knowledge", "ingest", str(runbooks), "--namespace", "runbooks", "--org", "Acme") == (
        "3 added, 0 updated, 0 unchanged\n"
    )
    (runbooks / "printing.txt").write_text("Follow-me printing: badge in at any printer to release.", encoding="utf-8")
    again = cli.json("knowledge", "ingest", str(runbooks), "--namespace", "runbooks", "--org", "Acme")
    assert (again["added"], again["updated"]) == ([], ["printing.txt"])
    assert sorted(again["skipped"]) == ["accounts/password-reset.md", "vpn.html"]

    (hit, *_) = cli.json("knowledge", "search", "I cannot remember my login", "--org", "Acme")
    assert (hit["key"], hit["namespace"]) == ("accounts/password-reset.md", "runbooks")
    assert "forgot their password" in hit["content"] and hit["organization_id"] is not None
    assert cli.json("knowledge", "search", "I cannot remember my login", "--org", "Globex") == []
    assert "(no results)" in cli.ok("knowledge", "search", "printer", "--org", "Globex")

    (acme,) = cli.json("knowledge", "namespaces", "--org", "Acme")
    assert (acme["name"], acme["org_document_count"], acme["global_document_count"]) == ("runbooks", 3, 0)
    assert cli.json("knowledge", "namespaces", "--org", "Globex") == []


def test_ingest_names_its_scope_so_global_is_never_written_by_omission(cli: DataCli, runbooks: Path) -> None:
    cli.ok("orgs", "create", "Acme")

    for target in ([], ["--global", "--org", "Acme"]):
        error = cli.fails("knowledge", "ingest", str(runbooks), "--namespace", "runbooks", *target)
        assert "pass exactly one of --org ORG or --global" in error and "GLOBAL is read by every organization" in error
    assert cli.json("knowledge", "namespaces") == []
    assert cli.json("knowledge", "namespaces", "--org", "Acme") == []


def test_unreadable_files_are_named_and_the_exit_code_says_so(cli: DataCli, runbooks: Path) -> None:
    (runbooks / "legacy.txt").write_bytes("Kantine \u00f6ffnet".encode("latin-1"))
    result = cli("knowledge", "ingest", "--global", str(runbooks), "--namespace", "runbooks")
    assert result.exit_code == 1, result.stderr
    assert result.stdout.startswith("3 added, 0 updated, 0 unchanged, 1 failed\n")
    assert "legacy.txt" in result.stdout and "not UTF-8" in result.stdout


def test_errors_are_one_line_that_says_what_to_fix(cli: DataCli, runbooks: Path, tmp_path: Path) -> None:
    assert "search query is empty" in cli.fails("knowledge", "search", "   ")
    assert "no knowledge namespace 'nope'" in cli.fails("knowledge", "search", "vpn", "--namespace", "nope")

    async def built_elsewhere() -> None:  # as if BIFROST_EMBEDDER had named another model back then
        vectors = VectorStore(persistent_client(tmp_path / "data" / "chroma"))
        await vectors.create(Space("GLOBAL", "runbooks"), "openai-compatible:other-model", 1536)
        vectors.close()

    asyncio.run(built_elsewhere())
    error = cli.fails("knowledge", "ingest", "--global", str(runbooks), "--namespace", "runbooks")
    assert error.startswith("error: Knowledge namespace 'runbooks' (GLOBAL) was embedded with")
    assert "bifrost-mcp knowledge reindex --namespace runbooks" in error and "Traceback" not in error


def test_reindex_skips_namespaces_already_on_the_configured_embedder_unless_forced(
    cli: DataCli, runbooks: Path
) -> None:
    cli.ok("knowledge", "ingest", "--global", str(runbooks), "--namespace", "runbooks")
    (result,) = cli.json("knowledge", "reindex")
    assert (result["namespace"], result["rebuilt"]) == ("runbooks", False)
    (forced,) = cli.json("knowledge", "reindex", "--namespace", "runbooks", "--force")
    assert (forced["rebuilt"], forced["chunks"]) == (True, 3)
    (hit, *_) = cli.json("knowledge", "search", "where do I print", "--namespace", "runbooks")
    assert hit["key"] == "printing.txt"


def test_the_group_works_on_its_own(tmp_path: Path, runbooks: Path) -> None:
    alone = DataCli(tmp_path / "data", knowledge)
    assert len(alone.json("ingest", str(runbooks), "--namespace", "runbooks", "--global")["added"]) == 3
    (listed,) = alone.json("namespaces")
    assert (listed["name"], listed["org_document_count"], listed["global_document_count"]) == ("runbooks", 0, 3)
