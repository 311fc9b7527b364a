from __future__ import annotations

from pathlib import Path

import pytest

from bifrost_mcp.knowledge import EmbedderMismatchError, KnowledgeStore, ingest
from bifrost_mcp.knowledge.vectors import Space
from bifrost_mcp.knowledge.view import KnowledgeView
from tests.support.pdfs import make_pdf


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    (root / "policies").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "readme.md").write_text("# IT handbook\n\nAsk the service desk on extension 4000.", encoding="utf-8")
    (root / "policies" / "backup.txt").write_text("Backups are copied offsite every night.", encoding="utf-8")
    (root / "policies" / "vpn.html").write_text(
        "<h1>VPN</h1><p>Connect to vpn.example.com with the GlobalProtect client.</p>", encoding="utf-8"
    )
    (root / "policies" / "printing.pdf").write_bytes(make_pdf([["Follow-me printing releases jobs at any device."]]))
    (root / "scanned.pdf").write_bytes(make_pdf([[]]))
    (root / "legacy.txt").write_bytes("Men\u00fc f\u00fcr die Kantine".encode("latin-1"))
    (root / "diagram.png").write_bytes(b"\x89PNG")
    (root / ".git" / "config").write_text("[core]", encoding="utf-8")
    (root / ".hidden.md").write_text("hidden", encoding="utf-8")
    return root


async def test_a_folder_is_ingested_with_relative_keys_and_bad_files_reported(
    store: KnowledgeStore, folder: Path
) -> None:
    service = KnowledgeView(store, "org-a")
    summary = await ingest([folder], "handbook", service)
    assert sorted(summary.added) == ["policies/backup.txt", "policies/printing.pdf", "policies/vpn.html", "readme.md"]
    reasons = {Path(f.path).name: f.reason for f in summary.failed}
    assert set(reasons) == {"scanned.pdf", "legacy.txt", "diagram.png"}
    assert "no text layer" in reasons["scanned.pdf"]
    assert "not UTF-8" in reasons["legacy.txt"] and "unsupported file type .png" in reasons["diagram.png"]
    assert str(summary).startswith("4 added, 0 updated, 0 unchanged, 3 failed")
    vpn = await service.get("policies/vpn.html", "handbook")
    assert vpn is not None and vpn.content == "# VPN\n\nConnect to vpn.example.com with the GlobalProtect client."
    assert vpn.metadata == {"file_type": "html"}
    results = await service.search("where are print jobs released", ["handbook"], 1, None, None, True)
    assert [r.key for r in results] == ["policies/printing.pdf"]


async def test_a_second_run_skips_unchanged_files_and_updates_changed_ones(store: KnowledgeStore, folder: Path) -> None:
    service = KnowledgeView(store, "org-a")
    await ingest([folder], "handbook", service)
    (folder / "readme.md").write_text("# IT handbook\n\nThe service desk moved to extension 5000.", encoding="utf-8")
    summary = await ingest([folder], "handbook", service, progress=True)
    assert (summary.added, summary.updated) == ([], ["readme.md"])
    assert sorted(summary.skipped) == ["policies/backup.txt", "policies/printing.pdf", "policies/vpn.html"]
    readme = await service.get("readme.md", "handbook")
    assert readme is not None and "5000" in readme.content


async def test_a_single_file_is_keyed_by_its_name_and_a_missing_path_is_reported(
    store: KnowledgeStore, folder: Path
) -> None:
    service = KnowledgeView(store, "org-a")
    summary = await ingest([folder / "policies" / "backup.txt", folder / "nope.md"], "misc", service)
    assert summary.added == ["backup.txt"]
    assert [(Path(f.path).name, f.reason) for f in summary.failed] == [("nope.md", "no such file or folder")]


async def test_two_files_with_the_same_key_in_one_run_fail_the_second(store: KnowledgeStore, tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()  # the store's data dir is tmp_path/data: stay beside it
        (tmp_path / name / "same.md").write_text(f"from {name}", encoding="utf-8")
    summary = await ingest([tmp_path / "a" / "same.md", tmp_path / "b" / "same.md"], "x", KnowledgeView(store, "org-a"))
    assert summary.added == ["same.md"]
    assert len(summary.failed) == 1 and "same key 'same.md'" in summary.failed[0].reason


async def test_an_oversize_file_fails_alone_while_its_batch_is_stored(
    small_chunk_store: KnowledgeStore, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "big.txt").write_text("word " * 5000, encoding="utf-8")
    (docs / "small.txt").write_text("a small note", encoding="utf-8")
    summary = await ingest([docs], "docs", KnowledgeView(small_chunk_store, "org-a"))
    assert summary.added == ["small.txt"]
    assert [Path(f.path).name for f in summary.failed] == ["big.txt"] and "20,000 allowed" in summary.failed[0].reason


async def test_ingestion_writes_only_into_the_callers_scope(store: KnowledgeStore, folder: Path) -> None:
    await ingest([folder], "handbook", KnowledgeView(store, "org-a"))
    assert await KnowledgeView(store, "org-b").list_namespaces() == []


async def test_a_namespace_built_with_another_embedder_stops_ingestion_with_the_reindex_hint(
    store: KnowledgeStore, folder: Path
) -> None:
    await store.vectors.create(Space("org-a", "handbook"), "openai-compatible:other-model", 1536)
    with pytest.raises(EmbedderMismatchError, match="bifrost-mcp knowledge reindex --namespace handbook"):
        await ingest([folder], "handbook", KnowledgeView(store, "org-a"))


async def test_many_files_flow_through_every_stage_and_a_second_run_skips_them_all(
    store: KnowledgeStore, tmp_path: Path
) -> None:
    root = tmp_path / "many"
    root.mkdir()
    for i in range(300):  # more than one read group and more than one embedding batch
        (root / f"note-{i:03d}.txt").write_text(f"Note {i}: the badge reader on floor {i % 9} was reset.", "utf-8")
    (root / "note-bad.txt").write_bytes(b"\xff\xfe not utf-8 \xff")
    service = KnowledgeView(store, "org-a")
    first = await ingest([root], "notes", service)
    assert first.added == [f"note-{i:03d}.txt" for i in range(300)]  # sorted, whatever order batches finished in
    assert [Path(f.path).name for f in first.failed] == ["note-bad.txt"]
    assert (await service.list_namespaces())[0].org_document_count == 300
    document = await service.get("note-123.txt", "notes")
    assert document is not None and document.content == "Note 123: the badge reader on floor 6 was reset."
    again = await ingest([root], "notes", service)
    assert (len(again.added), len(again.updated), len(again.skipped), len(again.failed)) == (0, 0, 300, 1)
