"""Serve an ASGI app with uvicorn on 127.0.0.1, on a port of its own, until the block ends.

    async with LoopbackServer().serve(app) as url: ...      # in the test's event loop
    with LoopbackServer().serve_in_thread(app) as url: ...  # in an event loop on a thread of its own

Serve in the test's loop an app whose state lives in that loop (an App's HTTP front end). Serve in a
thread a server that sync code calls (CLI commands, blocking SDK calls) or that outlives one test's loop
(a session fixture). A server in a subprocess gets `free_port()` and is waited for with `answers`.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import anyio
import httpx2
import uvicorn
from anyio.from_thread import start_blocking_portal
from starlette.types import ASGIApp

from tests.support.poll import poll

STARTUP_BOUND_SECONDS = 10.0


class LoopbackServer:
    """A socket bound on 127.0.0.1 at once, then handed to uvicorn for one `serve` block.

    Binding before serving makes the port ours (no race for a "free" one) and known before the app is
    built, for an app that must know its own address (`build_asgi(app, port=server.port)`).
    """

    def __init__(self) -> None:
        # IPPROTO_TCP, not the default 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say TCP,
        # and with Nagle on every response waits ~40 ms for the client's delayed ACK between its two writes.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    @asynccontextmanager
    async def serve(self, app: ASGIApp) -> AsyncIterator[str]:
        """Serve `app` from the running event loop until the block ends; yields the base URL."""
        config = uvicorn.Config(
            app,
            log_config=None,  # leave the test process's logging alone
            log_level="warning",
            access_log=False,
            lifespan="on",
            ws="none",
            http="h11",
            timeout_graceful_shutdown=5,  # a request still hanging at the end of a test does not hold it up
        )
        server = uvicorn.Server(config)
        returned = False

        async def run() -> None:
            nonlocal returned
            try:
                await server.serve(sockets=[self._socket])
            finally:
                returned = True

        def started() -> bool:
            if returned and not server.started:
                raise RuntimeError(f"uvicorn stopped before serving {self.url} (its log says why)")
            return server.started

        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(run)
                # uvicorn has no startup event, only this flag
                await poll(started, timeout=STARTUP_BOUND_SECONDS, what=f"uvicorn to serve {self.url}")
                try:
                    yield self.url
                finally:
                    server.should_exit = True
        finally:
            self._socket.close()

    @contextmanager
    def serve_in_thread(self, app: ASGIApp) -> Iterator[str]:
        """Serve `app` from an event loop on a thread of its own until the block ends; yields the base URL."""
        with start_blocking_portal() as portal, portal.wrap_async_context_manager(self.serve(app)) as url:
            yield url


def free_port() -> int:
    """A port free on 127.0.0.1 now, for a server in a subprocess (which cannot take a bound socket)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def answers(url: str) -> bool:
    """Whether a GET of `url` answers 200: a check for `poll` while a server starts in a subprocess."""
    try:
        async with httpx2.AsyncClient() as http:
            return (await http.get(url)).status_code == 200
    except httpx2.TransportError:
        return False
