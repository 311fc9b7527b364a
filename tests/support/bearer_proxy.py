"""A loopback proxy that adds `Authorization: Bearer <token>` to every request, for clients that send no headers.

The official conformance harness connects with no credentials, and bifrost-mcp serves nobody without one.
Everything else passes through untouched, both ways and streamed (SSE included): the Host and Origin headers
too, so the server's DNS-rebinding checks see what the client sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

# Hop-by-hop or recomputed by the proxy's own HTTP stack.
_DROPPED = {"content-length", "transfer-encoding", "connection", "authorization"}


def bearer_proxy(upstream: str, token: str) -> Starlette:
    """An ASGI app forwarding every path to `upstream` (a base URL) as `token`'s bearer."""
    client = httpx2.AsyncClient(timeout=None)

    async def forward(request: Request) -> StreamingResponse:
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _DROPPED]
        headers.append(("authorization", f"Bearer {token}"))
        outgoing = client.build_request(
            request.method,
            upstream + request.url.path,
            params=request.query_params,
            headers=headers,
            content=await request.body(),
        )
        answer = await client.send(outgoing, stream=True)
        return StreamingResponse(
            answer.aiter_raw(),
            status_code=answer.status_code,
            headers={k: v for k, v in answer.headers.items() if k.lower() not in _DROPPED},
            background=BackgroundTask(answer.aclose),
        )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with client:
            yield

    return Starlette(routes=[Route("/{path:path}", forward, methods=["GET", "POST", "DELETE"])], lifespan=lifespan)
