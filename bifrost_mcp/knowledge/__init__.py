"""The knowledge capability: chunking, embedding, Chroma storage, scoped search, ingestion.

The host builds one `KnowledgeStore` per process; each run reads and writes through
`KnowledgeView.for_caller(store, caller)`, which writes only where the access gate allows.
"""

from __future__ import annotations

from bifrost_mcp.knowledge.chunking import Chunk, chunk_text
from bifrost_mcp.knowledge.documents import GLOBAL
from bifrost_mcp.knowledge.embedders import Embedder, MiniLMEmbedder, OpenAIEmbedder, resolve_embedder
from bifrost_mcp.knowledge.errors import (
    DocumentTooLargeError,
    EmbedderMismatchError,
    EmbedderUnavailableError,
    EmbeddingRequestError,
    UnknownNamespaceError,
)
from bifrost_mcp.knowledge.ingest import IngestFailure, IngestSummary, ingest
from bifrost_mcp.knowledge.passages import search_passages
from bifrost_mcp.knowledge.reindex import ReindexResult
from bifrost_mcp.knowledge.store import KnowledgeSettings, KnowledgeStore
from bifrost_mcp.knowledge.view import KnowledgeView

__all__ = [
    "GLOBAL",
    "Chunk",
    "DocumentTooLargeError",
    "Embedder",
    "EmbedderMismatchError",
    "EmbedderUnavailableError",
    "EmbeddingRequestError",
    "IngestFailure",
    "IngestSummary",
    "KnowledgeSettings",
    "KnowledgeStore",
    "KnowledgeView",
    "MiniLMEmbedder",
    "OpenAIEmbedder",
    "ReindexResult",
    "UnknownNamespaceError",
    "chunk_text",
    "ingest",
    "resolve_embedder",
    "search_passages",
]
