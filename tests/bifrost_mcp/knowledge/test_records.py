from __future__ import annotations

import json

import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.knowledge import KnowledgeStore, MiniLMEmbedder, records
from bifrost_mcp.knowledge.chunking import chunk_text
from bifrost_mcp.knowledge.reindex import reindex
from bifrost_mcp.knowledge.vectors import Space
from bifrost_mcp.knowledge.view import KnowledgeView

TOPICS = [
    "Tapes rotate weekly between the server room and the offsite vault.",
    "The printer on the third floor needs a new toner cartridge every month.",
    "Guest Wi-Fi passwords change every Monday morning at eight.",
    "New laptops are imaged with Intune before the first working day.",
    "The firewall blocks inbound traffic except on the VPN port.",
    "Expense reports are approved by the department head within a week.",
    "BitLocker recovery keys are escrowed in Entra ID for every device.",
    "The service desk answers the phone from seven to seven.",
]
LONG = "# Backup\n\n" + "\n\n".join(TOPICS)


async def test_chunk_text_lives_in_metadata_and_chroma_keeps_no_documents(small_chunk_store: KnowledgeStore) -> None:
    await KnowledgeView(small_chunk_store, "org-a").store(LONG, "it", "backup", {"owner": "ops"})
    collection = small_chunk_store.vectors.open(Space("org-a", "it"))
    assert collection is not None
    got = collection.get(include=["documents", "metadatas"])
    assert len(got["ids"]) > 3
    assert got["documents"] == [None] * len(got["ids"])  # no full-text index to maintain on every write
    for meta in got["metadatas"]:
        details = records.info(meta)
        assert details["body"] == LONG[details["start"] : details["end"]]
        assert set(meta) == {"doc_id", "chunk", "m.owner", "info"}


async def _store_in_the_earlier_layout(store: KnowledgeStore, minilm: MiniLMEmbedder, scope: str) -> None:
    """Write `LONG` as the previous release did: chunk text as the Chroma document, no `body` in `info`."""
    chunks = chunk_text(LONG, max_chars=200, overlap_chars=40)
    ids, metas = records.chunk_records("backup", "backup", LONG, chunks, {"owner": "ops"}, "rev-1")
    for meta in metas:
        details = json.loads(meta["info"])
        del details["body"]
        meta["info"] = json.dumps(details)
    collection = await store.vectors.create(Space(scope, "it"), minilm.id, minilm.dimensions)
    embeddings = await minilm.embed([c.text for c in chunks])
    collection.add(ids=ids, embeddings=embeddings, documents=[c.body for c in chunks], metadatas=metas)


async def test_records_of_the_earlier_layout_are_read_and_reindex_force_rewrites_them(
    small_chunk_store: KnowledgeStore, minilm: MiniLMEmbedder
) -> None:
    await _store_in_the_earlier_layout(small_chunk_store, minilm, "org-a")
    service = KnowledgeView(small_chunk_store, "org-a")

    document = await service.get("backup", "it")
    assert document is not None and document.content == LONG and document.metadata == {"owner": "ops"}
    (hit,) = await service.search("when do visitors get a new wireless password", ["it"], 5, None, None, False)
    assert hit.key == "backup" and TOPICS[2] in hit.content and hit.content.startswith("Backup\n\n")

    (result,) = await reindex(small_chunk_store, "it", force=True)
    assert result.rebuilt and result.chunks > 3
    collection = small_chunk_store.vectors.open(Space("org-a", "it"))
    assert collection is not None
    got = collection.get(include=["documents", "metadatas"])
    assert got["documents"] == [None] * len(got["ids"])
    assert all(records.info(m)["body"] for m in got["metadatas"])
    document = await service.get("backup", "it")
    assert document is not None and document.content == LONG
    (again,) = await service.search("when do visitors get a new wireless password", ["it"], 5, None, None, False)
    assert again.key == "backup" and again.content == hit.content and again.score == pytest.approx(hit.score, abs=1e-5)


def test_a_metadata_filter_is_translated_onto_the_copied_fields() -> None:
    assert records.chroma_where({"owner": "ops", "year": {"$gte": 2024}}) == {
        "$and": [{"m.owner": {"$eq": "ops"}}, {"m.year": {"$gte": 2024}}]
    }
    with pytest.raises(ValidationError, match="not an operator"):
        records.chroma_where({"$or": []})
