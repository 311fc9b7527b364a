"""Embeddings from OpenAI or any server speaking its `/v1/embeddings` API (vLLM, Ollama, LM Studio, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from openai import APIError, AsyncOpenAI

from bifrost.errors import ConfigurationError
from bifrost_mcp.knowledge.errors import EmbeddingRequestError

OPENAI_BASE_URL = "https://api.openai.com/v1"
_KNOWN_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}


class OpenAIEmbedder:
    """Embed with `model` at `base_url` (OpenAI's API by default).

    `dimensions` asks text-embedding-3 models for shortened vectors; for other servers' models it is learned
    from the first answer unless given. The id is `openai:<model>` on OpenAI, `openai-compatible:<model>`
    elsewhere (the server's address is not part of it, so moving a server needs no reindex).
    """

    def __init__(
        self,
        model: str = "text-embedding-3-small",
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        dimensions: int | None = None,
        batch_size: int = 256,
        client: AsyncOpenAI | None = None,
    ) -> None:
        if not model:
            raise ConfigurationError("OpenAIEmbedder needs a model name, e.g. 'text-embedding-3-small'")
        self._model = model
        self._base_url = (base_url or OPENAI_BASE_URL).rstrip("/")
        self._requested_dimensions = dimensions
        self._dimensions = dimensions or _KNOWN_DIMENSIONS.get(model)
        self._batch_size = batch_size
        # compatible servers often take no key, but the SDK insists on one
        key = api_key if api_key is not None else (None if self._is_openai else "unused")
        self._client = client or AsyncOpenAI(base_url=self._base_url, api_key=key)

    @property
    def _is_openai(self) -> bool:
        return urlsplit(self._base_url).hostname == "api.openai.com"

    @property
    def id(self) -> str:
        kind = "openai" if self._is_openai else "openai-compatible"
        suffix = f"/{self._requested_dimensions}d" if self._requested_dimensions else ""
        return f"{kind}:{self._model}{suffix}"

    @property
    def dimensions(self) -> int:
        if self._dimensions is None:
            raise EmbeddingRequestError(
                f"dimensions of {self._model!r} are unknown until the first embed() call; pass dimensions=..."
            )
        return self._dimensions

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one string: wrap it in a list")
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors += await self._embed_batch(list(texts[start : start + self._batch_size]))
        return vectors

    async def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        try:
            if self._requested_dimensions:
                response = await self._client.embeddings.create(
                    model=self._model, input=batch, dimensions=self._requested_dimensions
                )
            else:
                response = await self._client.embeddings.create(model=self._model, input=batch)
        except APIError as exc:
            raise EmbeddingRequestError(f"embedding with {self._model!r} at {self._base_url} failed: {exc}") from exc
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(batch):
            raise EmbeddingRequestError(
                f"{self._base_url} returned {len(data)} embeddings for {len(batch)} inputs (model {self._model!r})"
            )
        vectors = [list(item.embedding) for item in data]
        sizes = {len(v) for v in vectors}
        if len(sizes) != 1 or (self._dimensions is not None and sizes != {self._dimensions}):
            raise EmbeddingRequestError(
                f"{self._base_url} returned vectors of {sorted(sizes)} dimensions for {self._model!r}, "
                f"expected {self._dimensions}"
            )
        self._dimensions = sizes.pop()
        return vectors

    async def aclose(self) -> None:
        await self._client.close()
