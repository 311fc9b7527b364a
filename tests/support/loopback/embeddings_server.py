"""A loopback server speaking OpenAI's `/v1/embeddings` wire format, for the real openai client to call.

Vectors are deterministic per text (seeded by its hash), normalized, and returned shuffled with their
`index`, as base64 float32 or float lists depending on `encoding_format`, like the real API.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.server import LoopbackServer

API_KEY = "sk-test-loopback"
MODEL_DIMENSIONS = {"text-embedding-3-small": 1536, "loopback-embed": 64}


@dataclass
class EmbeddingsServer:
    base_url: str
    api_key: str = API_KEY
    requests: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def expected_vector(text: str, dimensions: int) -> np.ndarray:
        return vector_for(text, dimensions)


def vector_for(text: str, dimensions: int) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    vector = np.random.default_rng(seed).standard_normal(dimensions).astype(np.float32)
    return vector / np.linalg.norm(vector)


def _app(server: EmbeddingsServer) -> Starlette:
    async def embeddings(request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return JSONResponse({"error": {"message": "Incorrect API key", "type": "invalid_request_error"}}, 401)
        body = await request.json()
        server.requests.append(body)
        model, inputs = body.get("model"), body.get("input")
        if model not in MODEL_DIMENSIONS:
            error = {"message": f"The model `{model}` does not exist", "type": "invalid_request_error"}
            return JSONResponse({"error": error}, 404)
        inputs = [inputs] if isinstance(inputs, str) else inputs
        dimensions = body.get("dimensions") or MODEL_DIMENSIONS[model]
        data = []
        for index, text in enumerate(inputs):
            vector = vector_for(text, dimensions)
            encoded: Any = (
                base64.b64encode(vector.astype("<f4").tobytes()).decode()
                if body.get("encoding_format") == "base64"
                else vector.tolist()
            )
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        random.Random(len(server.requests)).shuffle(data)
        usage = {"prompt_tokens": len(inputs), "total_tokens": len(inputs)}
        return JSONResponse({"object": "list", "data": data, "model": model, "usage": usage})

    return Starlette(routes=[Route("/v1/embeddings", embeddings, methods=["POST"])])


@contextmanager
def start_embeddings_server() -> Iterator[EmbeddingsServer]:
    loopback = LoopbackServer()
    server = EmbeddingsServer(base_url=f"{loopback.url}/v1")
    with loopback.serve_in_thread(_app(server)):
        yield server
