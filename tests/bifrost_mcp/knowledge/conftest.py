from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bifrost_mcp.knowledge import KnowledgeSettings, KnowledgeStore, MiniLMEmbedder
from tests.support.loopback.embeddings_server import EmbeddingsServer, start_embeddings_server

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session")
def minilm(model_cache: Path) -> MiniLMEmbedder:
    embedder = MiniLMEmbedder(cache_dir=model_cache)
    embedder.load()
    return embedder


@pytest.fixture
async def store(tmp_path: Path, minilm: MiniLMEmbedder) -> AsyncIterator[KnowledgeStore]:
    knowledge = KnowledgeStore.open(tmp_path / "data", minilm)
    yield knowledge
    await knowledge.aclose()


@pytest.fixture
async def small_chunk_store(tmp_path: Path, minilm: MiniLMEmbedder) -> AsyncIterator[KnowledgeStore]:
    settings = KnowledgeSettings(chunk_chars=200, overlap_chars=40, max_document_chars=20_000)
    knowledge = KnowledgeStore.open(tmp_path / "data", minilm, settings=settings)
    yield knowledge
    await knowledge.aclose()


@pytest.fixture(scope="session")
def embeddings_server() -> Iterator[EmbeddingsServer]:
    with start_embeddings_server() as server:
        yield server
