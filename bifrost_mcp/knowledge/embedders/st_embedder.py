"""sentence-transformers models (optional extra: it brings torch). Imported only when configured."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from typing import Any

import anyio.to_thread


class SentenceTransformersEmbedder:
    """Any sentence-transformers model by name or local path, with normalized vectors."""

    def __init__(self, model: str = "all-MiniLM-L6-v2", *, device: str = "cpu", batch_size: int = 32) -> None:
        try:
            sentence_transformers = importlib.import_module("sentence_transformers")
        except ImportError as exc:
            raise ImportError(
                "The sentence-transformers embedder needs the optional extra: "
                "pip install 'bifrost-mcp[sentence-transformers]'"
            ) from exc
        self._module: Any = sentence_transformers
        self._name = model
        self._device = device
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return f"sentence-transformers:{self._name}"

    @property
    def dimensions(self) -> int:
        return int(self._load().get_sentence_embedding_dimension())

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one string: wrap it in a list")
        if not texts:
            return []
        return await anyio.to_thread.run_sync(self._encode, list(texts))

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self._load().encode(texts, batch_size=self._batch_size, normalize_embeddings=True)
        return [[float(x) for x in row] for row in vectors]

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._module.SentenceTransformer(self._name, device=self._device)
            return self._model
