from __future__ import annotations

import numpy as np
import pytest

from bifrost_mcp.knowledge import EmbeddingRequestError, OpenAIEmbedder
from tests.support.loopback.embeddings_server import EmbeddingsServer


async def test_vectors_come_back_in_input_order_from_a_compatible_server(embeddings_server: EmbeddingsServer) -> None:
    embedder = OpenAIEmbedder(
        "loopback-embed", base_url=embeddings_server.base_url, api_key=embeddings_server.api_key, batch_size=2
    )
    texts = ["reset password", "map printer", "vpn setup", "backup policy", "onboarding"]
    try:
        vectors = await embedder.embed(texts)
    finally:
        await embedder.aclose()
    assert [len(v) for v in vectors] == [64] * 5
    for text, vector in zip(texts, vectors, strict=True):
        assert np.allclose(vector, embeddings_server.expected_vector(text, 64), atol=1e-6)
    assert [len(r["input"]) for r in embeddings_server.requests[-3:]] == [2, 2, 1]
    assert embedder.dimensions == 64
    assert embedder.id == "openai-compatible:loopback-embed"


async def test_requested_dimensions_are_sent_and_part_of_the_id(embeddings_server: EmbeddingsServer) -> None:
    embedder = OpenAIEmbedder(
        "text-embedding-3-small", base_url=embeddings_server.base_url, api_key=embeddings_server.api_key, dimensions=256
    )
    try:
        (vector,) = await embedder.embed(["hello"])
    finally:
        await embedder.aclose()
    assert len(vector) == 256 and embeddings_server.requests[-1]["dimensions"] == 256
    assert embedder.id == "openai-compatible:text-embedding-3-small/256d"


def test_openai_itself_gets_the_plain_openai_id() -> None:
    embedder = OpenAIEmbedder("text-embedding-3-small", api_key="sk-unused")
    assert (embedder.id, embedder.dimensions) == ("openai:text-embedding-3-small", 1536)


async def test_an_unknown_model_fails_with_an_error_naming_model_and_server(
    embeddings_server: EmbeddingsServer,
) -> None:
    embedder = OpenAIEmbedder("no-such-model", base_url=embeddings_server.base_url, api_key=embeddings_server.api_key)
    try:
        with pytest.raises(EmbeddingRequestError, match=r"'no-such-model' at http://127\.0\.0\.1:\d+/v1"):
            await embedder.embed(["hello"])
        with pytest.raises(EmbeddingRequestError, match="unknown until the first embed"):
            _ = embedder.dimensions
    finally:
        await embedder.aclose()


async def test_a_wrong_api_key_is_reported_as_a_failed_request(embeddings_server: EmbeddingsServer) -> None:
    embedder = OpenAIEmbedder("loopback-embed", base_url=embeddings_server.base_url, api_key="sk-wrong")
    try:
        with pytest.raises(EmbeddingRequestError, match="Incorrect API key"):
            await embedder.embed(["hello"])
    finally:
        await embedder.aclose()
