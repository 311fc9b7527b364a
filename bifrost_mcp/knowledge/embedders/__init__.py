"""Embedders behind one interface, and the resolver from a configured spec string."""

from __future__ import annotations

from pathlib import Path

from bifrost.errors import ValidationError
from bifrost_mcp.knowledge.embedders.base import Embedder
from bifrost_mcp.knowledge.embedders.minilm import MiniLMEmbedder
from bifrost_mcp.knowledge.embedders.openai_embedder import OpenAIEmbedder

DEFAULT_EMBEDDER = "minilm"


def resolve_embedder(
    spec: str | None = None,
    *,
    cache_dir: Path | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    dimensions: int | None = None,
) -> Embedder:
    """Build the embedder a spec names.

    Specs: `minilm` (default, offline all-MiniLM-L6-v2 on onnxruntime), `openai:<model>` (OpenAI, or an
    OpenAI-compatible server at `base_url`), `sentence-transformers:<model or path>` (optional extra).
    """
    spec = (spec or DEFAULT_EMBEDDER).strip()
    provider, _, model = spec.partition(":")
    if provider in ("minilm", "default") and not model:
        return MiniLMEmbedder(cache_dir=cache_dir)
    if provider == "openai" and model:
        return OpenAIEmbedder(model, base_url=base_url, api_key=api_key, dimensions=dimensions)
    if provider == "sentence-transformers" and model:
        from bifrost_mcp.knowledge.embedders.st_embedder import SentenceTransformersEmbedder

        return SentenceTransformersEmbedder(model)
    raise ValidationError(
        f"Unknown embedder {spec!r}: use 'minilm', 'openai:<model>' (e.g. openai:text-embedding-3-small) "
        "or 'sentence-transformers:<model>'"
    )


__all__ = ["DEFAULT_EMBEDDER", "Embedder", "MiniLMEmbedder", "OpenAIEmbedder", "resolve_embedder"]
