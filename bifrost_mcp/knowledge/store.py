"""The process-wide knowledge store: vector storage, the embedder, and the per-namespace write locks.

Callers reach it through `KnowledgeView` (knowledge/view.py), which enforces tenancy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from bifrost_mcp.clock import SYSTEM_CLOCK, Clock
from bifrost_mcp.knowledge.chunking import DEFAULT_MAX_CHARS, DEFAULT_OVERLAP_CHARS
from bifrost_mcp.knowledge.documents import GLOBAL
from bifrost_mcp.knowledge.embedders import Embedder
from bifrost_mcp.knowledge.embedders.base import BlockingEmbedder
from bifrost_mcp.knowledge.errors import EmbedderMismatchError
from bifrost_mcp.knowledge.vectors import Space, VectorStore, http_client, persistent_client


@dataclass(frozen=True)
class KnowledgeSettings:
    chunk_chars: int = DEFAULT_MAX_CHARS
    overlap_chars: int = DEFAULT_OVERLAP_CHARS
    max_document_chars: int = 2_000_000


class KnowledgeStore:
    """Built once per process from vector storage and an embedder."""

    def __init__(self, vectors: VectorStore, embedder: Embedder, settings: KnowledgeSettings | None = None) -> None:
        self.vectors = vectors
        self.embedder = embedder
        # a local model embeds a query in the thread that then queries Chroma: one thread hop per search
        self.embed_blocking: Callable[[Sequence[str]], list[list[float]]] | None = (
            embedder.embed_blocking if isinstance(embedder, BlockingEmbedder) else None
        )
        self.settings = settings or KnowledgeSettings()
        self._write_locks: dict[Space, anyio.Lock] = {}

    @classmethod
    def open(
        cls,
        data_dir: Path,
        embedder: Embedder,
        *,
        chroma_url: str | None = None,
        settings: KnowledgeSettings | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> KnowledgeStore:
        """Embedded Chroma in `<data_dir>/chroma`, or the Chroma server at `chroma_url`."""
        client = http_client(chroma_url) if chroma_url else persistent_client(data_dir / "chroma")
        return cls(VectorStore(client, clock=clock), embedder, settings)

    async def aclose(self) -> None:
        """Close the vector store client and the embedder's (remote embedders hold an HTTP client)."""
        self.vectors.close()
        close = getattr(self.embedder, "aclose", None)
        if close is not None:
            await close()

    def write_lock(self, space: Space) -> anyio.Lock:
        # writes to one namespace serialize inside this process, so two stores of a key cannot interleave
        return self._write_locks.setdefault(space, anyio.Lock())

    def check_embedder(self, space: Space, collection: Any) -> None:
        built_with = str((collection.metadata or {}).get("bifrost_embedder"))
        if built_with != self.embedder.id:
            where = "GLOBAL" if space.scope == GLOBAL else f"organization {space.scope}"
            raise EmbedderMismatchError(
                f"Knowledge namespace {space.namespace!r} ({where}) was embedded with {built_with!r}, but the "
                f"configured embedder is {self.embedder.id!r}: run `bifrost-mcp knowledge reindex --namespace "
                f"{space.namespace}` to re-embed it, or configure {built_with!r} again."
            )
