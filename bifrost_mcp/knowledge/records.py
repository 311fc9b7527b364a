"""How documents live in Chroma: one record per chunk, with the document's identity and spans in metadata.

Record metadata holds what queries filter on as fields: `doc_id`, `chunk` (index) and `m.<field>` copies of
the caller's scalar metadata (what `metadata_filter` matches). Everything else is one JSON field, `info`,
because Chroma writes a row per metadata field: `body` (the chunk's text, exactly `content[start:end]`),
`key` (absent for keyless documents), `chunks` (count), `start`/`end` (span in the original), `headings`,
`sha256` of the whole content (lets ingestion skip unchanged files), `rev` (one per store, so a reader never
mixes two versions), `stored_at`, and `meta` (the caller's metadata as given).

The chunk's text is kept in `info`, not in Chroma's `documents`: Chroma maintains a trigram full-text index
over documents, which we never query (search is by vector, filters are on metadata) and which costs about a
third of every write. Records written before this layout carry their text as the Chroma document; readers
take it from there (`body_of`), and `bifrost-mcp knowledge reindex --force` rewrites them in this layout.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bifrost.errors import ValidationError
from bifrost_mcp.knowledge.chunking import Chunk, passage_text, reassemble

_FILTER_OPS = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"}
_SCALARS = (str, int, float, bool)


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()


def chunk_records(
    doc_id: str, key: str | None, content: str, chunks: list[Chunk], metadata: Mapping[str, Any], rev: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """(ids, metadatas) of a document's chunk records."""
    shared: dict[str, Any] = {
        "chunks": len(chunks),
        "sha256": content_hash(content),
        "rev": rev,
        "stored_at": datetime.now(UTC).isoformat(),
        "meta": dict(metadata),
    }
    if key is not None:
        shared["key"] = key
    filterable = {f"m.{k}": v for k, v in metadata.items() if isinstance(v, _SCALARS)}
    metas = [
        {
            "doc_id": doc_id,
            "chunk": i,
            **filterable,
            "info": json.dumps(
                {"body": c.body, **shared, "start": c.start, "end": c.end, "headings": c.heading_path},
                ensure_ascii=False,
                default=str,
            ),
        }
        for i, c in enumerate(chunks)
    ]
    return [f"{doc_id}#{i}" for i in range(len(chunks))], metas


def info(meta: Mapping[str, Any]) -> dict[str, Any]:
    value = json.loads(meta.get("info") or "{}")
    return value if isinstance(value, dict) else {}


def body_of(document: str | None, details: Mapping[str, Any]) -> str:
    """A chunk's text: from its `info`, or from the Chroma document for records of the earlier layout."""
    body = details.get("body")
    return body if isinstance(body, str) else document or ""


def passage_of(document: str | None, details: Mapping[str, Any]) -> str:
    """What a chunk was embedded as, and what a search shows: its heading path, then its text."""
    return passage_text(body_of(document, details), details.get("headings", []))


def with_body(document: str | None, meta: Mapping[str, Any]) -> dict[str, Any]:
    """`meta` in this layout: the text moved into `info` (records of the earlier layout kept it as a document)."""
    details = info(meta)
    if isinstance(details.get("body"), str):
        return dict(meta)
    return {**meta, "info": json.dumps({"body": document or "", **details}, ensure_ascii=False, default=str)}


def whole_document(
    documents: list[str | None], metas: list[Mapping[str, Any]]
) -> tuple[str, Mapping[str, Any], dict[str, Any]] | None:
    """The content rebuilt from one document's chunk records, its first chunk's metadata and parsed `info`.

    Only the revision of chunk 0 counts, so a store racing with this read cannot yield a mixed document.
    """
    first = next((m for m in metas if m.get("chunk") == 0), None)
    if first is None:
        return None
    head = info(first)
    parts = []
    for document, meta in zip(documents, metas, strict=True):
        chunk = info(meta)
        if chunk.get("rev") == head.get("rev"):
            parts.append((int(chunk["start"]), int(chunk["end"]), body_of(document, chunk)))
    if len(parts) != int(head["chunks"]):
        return None
    return reassemble(parts), first, head


def chroma_where(metadata_filter: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Translate `{"field": value | {"$op": value}}` on the caller's metadata into a Chroma `where`."""
    if not metadata_filter:
        return None
    if not isinstance(metadata_filter, Mapping):
        raise ValidationError("metadata_filter must be a dict like {'category': 'vpn'} or {'year': {'$gte': 2024}}")
    clauses = []
    for field, condition in metadata_filter.items():
        if not isinstance(field, str) or not field or field.startswith("$"):
            raise ValidationError(f"metadata_filter field {field!r} must be a metadata field name, not an operator")
        if isinstance(condition, Mapping):
            if len(condition) != 1 or next(iter(condition)) not in _FILTER_OPS:
                raise ValidationError(
                    f"metadata_filter[{field!r}] must be a value or one operator of {sorted(_FILTER_OPS)}"
                )
            op, value = next(iter(condition.items()))
        else:
            op, value = "$eq", condition
        values = value if op in ("$in", "$nin") else [value]
        if op in ("$in", "$nin") and not isinstance(value, list | tuple):
            raise ValidationError(f"metadata_filter[{field!r}][{op!r}] takes a list of values")
        if not values or not all(isinstance(v, _SCALARS) for v in values):
            raise ValidationError(f"metadata_filter[{field!r}] compares only strings, numbers and booleans")
        clauses.append({f"m.{field}": {op: list(value) if op in ("$in", "$nin") else value}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
