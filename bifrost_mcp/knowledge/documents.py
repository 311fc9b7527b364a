"""Validating documents, writing their chunk records, and turning records back into KnowledgeDocuments."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bifrost.errors import ValidationError
from bifrost.types import KnowledgeDocument
from bifrost_mcp.knowledge import records
from bifrost_mcp.knowledge.chunking import Chunk, chunk_text
from bifrost_mcp.knowledge.errors import DocumentTooLargeError
from bifrost_mcp.knowledge.vectors import Space, VectorStore

GLOBAL = "GLOBAL"
_DOC_FIELDS = {"content", "key", "metadata"}


@dataclass(frozen=True)
class PreparedDocument:
    doc_id: str
    key: str | None
    content: str
    chunks: list[Chunk]
    metadata: dict[str, Any]


def prepare(
    doc: object, index: int, *, max_document_chars: int, chunk_chars: int, overlap_chars: int
) -> PreparedDocument:
    """Check one `{"content", "key"?, "metadata"?}` dict and chunk it; a keyless document gets a random id."""
    if not isinstance(doc, Mapping) or "content" not in doc or not _DOC_FIELDS.issuperset(doc):
        raise ValidationError(f"document {index} must be a dict with 'content' and optional 'key', 'metadata'")
    content, key, metadata = doc["content"], doc.get("key"), doc.get("metadata") or {}
    label = repr(key) if key is not None else f"#{index}"
    if not isinstance(content, str) or not content.strip():
        raise ValidationError(f"document {label} has no text: 'content' must be a non-empty string")
    if key is not None:
        check_name("key", key)
    if not isinstance(metadata, dict) or not all(isinstance(k, str) for k in metadata):
        raise ValidationError(f"document {label}: metadata must be a dict with string keys")
    if len(content) > max_document_chars:
        raise DocumentTooLargeError(
            f"document {label} has {len(content):,} characters, more than the {max_document_chars:,} allowed: "
            "split it into several documents"
        )
    chunks = chunk_text(content, max_chars=chunk_chars, overlap_chars=overlap_chars)
    return PreparedDocument(key or uuid.uuid4().hex, key, content, chunks, metadata)


async def write_documents(
    vectors: VectorStore, collection: Any, documents: list[PreparedDocument], embeddings: list[list[float]]
) -> None:
    """Upsert the documents' chunk records, then drop chunks left from their previous, longer versions."""
    ids: list[str] = []
    metas: list[dict[str, Any]] = []
    rev = uuid.uuid4().hex
    for doc in documents:
        doc_ids, doc_metas = records.chunk_records(doc.doc_id, doc.key, doc.content, doc.chunks, doc.metadata, rev)
        ids += doc_ids
        metas += doc_metas
    doc_ids = [doc.doc_id for doc in documents]
    step = vectors.max_batch

    def write() -> None:
        old: set[str] = set()
        for start in range(0, len(doc_ids), step):
            old.update(collection.get(where={"doc_id": {"$in": doc_ids[start : start + step]}}, include=[])["ids"])
        for start in range(0, len(ids), step):
            end = start + step
            collection.upsert(ids=ids[start:end], embeddings=embeddings[start:end], metadatas=metas[start:end])
        stale = sorted(old - set(ids))
        for start in range(0, len(stale), step):
            collection.delete(ids=stale[start : start + step])

    await vectors.call(write)


async def count_documents(vectors: VectorStore, collection: Any) -> int:
    return len(await vectors.call(lambda: collection.get(where={"chunk": 0}, include=[])["ids"]))


def to_document(
    space: Space, content: str, meta: Mapping[str, Any], details: Mapping[str, Any], *, score: float | None
) -> KnowledgeDocument:
    """A KnowledgeDocument from a record's metadata and its parsed `info` (`records.info(meta)`)."""
    key, stored_at, metadata = details.get("key"), details.get("stored_at"), details.get("meta")
    return KnowledgeDocument(
        id=str(meta["doc_id"]),
        key=str(key) if key is not None else None,
        namespace=space.namespace,
        content=content,
        metadata=metadata if isinstance(metadata, dict) else {},
        score=score,
        organization_id=None if space.scope == GLOBAL else space.scope,
        created_at=datetime.fromisoformat(stored_at) if isinstance(stored_at, str) else None,
    )


def check_name(what: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 1024:
        raise ValidationError(f"knowledge {what} must be a non-empty string of at most 1024 characters, got {value!r}")
