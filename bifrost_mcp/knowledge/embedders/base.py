"""The one interface every embedder implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors. Blocking work runs in a worker thread, never on the event loop."""

    @property
    def id(self) -> str:
        """Stable identity of the vector space, stored per namespace (e.g. `minilm-l6-v2@onnx`)."""
        ...

    @property
    def dimensions(self) -> int: ...

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""
        ...


@runtime_checkable
class BlockingEmbedder(Protocol):
    """Optional: an embedder that computes locally can also embed synchronously, inside a worker thread."""

    def embed_blocking(self, texts: Sequence[str]) -> list[list[float]]: ...
