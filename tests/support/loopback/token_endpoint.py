"""A loopback OAuth 2.0 token endpoint (POST /token, form-encoded), for the host's token refresh to call."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextlib import ExitStack
from types import TracebackType
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.server import LoopbackServer

GATE_BOUND_SECONDS = 30.0


def token_response(
    access_token: str, refresh_token: str | None = None, expires_in: Any = 3600, **extra: Any
) -> Response:
    body: dict[str, Any] = {"access_token": access_token, "token_type": "Bearer", **extra}
    if refresh_token is not None:
        body["refresh_token"] = refresh_token
    if expires_in is not None:
        body["expires_in"] = expires_in
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def oauth_error(status: int, error: str, description: str | None = None) -> Response:
    body = {"error": error} if description is None else {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status)


class TokenEndpoint:
    """`with TokenEndpoint(respond) as endpoint:` serves `respond(form)` at `endpoint.url`; `requests` holds the forms.

    With `gate`, every request waits until the test sets it (to hold a refresh in flight).
    """

    def __init__(self, respond: Callable[[dict[str, str]], Response], *, gate: threading.Event | None = None) -> None:
        self.requests: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.url = ""
        self._respond = respond
        self._gate = gate
        self._app = Starlette(
            routes=[
                Route("/token", self._token, methods=["POST"]),
                Route("/{tenant}/token", self._token, methods=["POST"]),
            ]
        )
        self._serving = ExitStack()

    async def _token(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        self.requests.append(form)
        self.paths.append(request.url.path)
        if self._gate is not None:
            await asyncio.to_thread(self._gate.wait, GATE_BOUND_SECONDS)
        return self._respond(form)

    def __enter__(self) -> TokenEndpoint:
        self.url = self._serving.enter_context(LoopbackServer().serve_in_thread(self._app)) + "/token"
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._gate is not None:
            self._gate.set()
        self._serving.close()
