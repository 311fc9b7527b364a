"""The Starlette app for streamable HTTP: /mcp and /mcp/agents/<name> behind the bearer gate, /healthz, metadata.

Beside them: the chat APIs (/api/chat, /v1), the web page (/chat) and the workflows' HTTP endpoints
(/api/workflows/<name>, /api/openapi.json).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import uvicorn
from mcp.server import ServerRequestContext
from mcp.server.auth.routes import build_resource_metadata_url, create_protected_resource_routes
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bifrost.errors import AccessDenied
from bifrost_mcp import __version__
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.server.agent_endpoint import AgentEndpoint
from bifrost_mcp.server.auth import CALLER_SCOPE_KEY, BearerGate
from bifrost_mcp.server.chat_api import chat_routes
from bifrost_mcp.server.endpoints import endpoint_routes
from bifrost_mcp.server.memory import settle_after_reloads
from bifrost_mcp.server.openai_api import openai_routes
from bifrost_mcp.server.protocol import BifrostServer
from bifrost_mcp.server.sessions import SessionLimits
from bifrost_mcp.server.web import web_routes
from bifrost_mcp.triggers.dispatcher import Dispatcher
from bifrost_mcp.triggers.scheduler import Scheduler


async def caller_from_request(ctx: ServerRequestContext[Any, Any]) -> Caller:
    request = ctx.request
    caller = request.scope.get(CALLER_SCOPE_KEY) if isinstance(request, Request) else None
    if not isinstance(caller, Caller):
        # Unreachable behind BearerGate; refuse rather than guess an identity.
        raise AccessDenied("request reached the MCP handler without an authenticated caller")
    return caller


def _security(host: str) -> TransportSecuritySettings | None:
    if host in ("127.0.0.1", "localhost", "::1"):
        return TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
            allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
        )
    return None


def build_asgi(
    app: App,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    prefix: str = "",
    public_url: str | None = None,
    watch: bool = True,
    dispatch: bool = True,
) -> Starlette:
    """The HTTP application. `prefix` mounts everything under a path (e.g. behind a reverse proxy).

    While it runs, `watch` reloads the workspace on change and `dispatch` runs queued (async) runs.
    """
    prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
    base = (public_url or f"http://{'[::1]' if host == '::1' else host}:{port}").rstrip("/")
    resource_url = f"{base}{prefix}/mcp"
    metadata_url = str(build_resource_metadata_url(AnyHttpUrl(resource_url)))
    bifrost = BifrostServer(app, caller_from_request)
    sessions = SessionLimits(app.host.settings)  # one count per credential across /mcp and its agents
    manager = sessions.manager(bifrost.server, _security(host))
    mcp_endpoint = BearerGate(app.host.callers, sessions.gate(StreamableHTTPASGIApp(manager)), metadata_url)
    agents = AgentEndpoint(app, _security(host), sessions)

    async def healthz(_: Request) -> JSONResponse:
        registry = app.registry
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "registry_version": registry.version,
                "tools": len(registry.tools),
                "workspace_errors": len(registry.errors),
            }
        )

    metadata_routes = create_protected_resource_routes(
        resource_url=AnyHttpUrl(resource_url),
        authorization_servers=[AnyHttpUrl(base + prefix or base)],
        resource_name="bifrost-mcp",
    )
    routes: list[BaseRoute] = [
        Route(f"{prefix}/mcp", endpoint=mcp_endpoint, methods=["GET", "POST", "DELETE"]),
        Route(f"{prefix}/healthz", endpoint=healthz, methods=["GET"]),
        *chat_routes(app, prefix=prefix, resource_metadata_url=metadata_url),
        *openai_routes(app, prefix=prefix, resource_metadata_url=metadata_url),
        *endpoint_routes(app, prefix=prefix, resource_metadata_url=metadata_url),
        Route(
            f"{prefix}/mcp/agents/{{name}}",
            endpoint=BearerGate(app.host.callers, sessions.gate(agents), metadata_url),
            methods=["GET", "POST", "DELETE"],
        ),
        *metadata_routes,
        *web_routes(app, prefix=prefix),
    ]
    if prefix:
        # Clients that resolve the well-known path relative to the mount point look here.
        routes += [Route(f"{prefix}/.well-known/oauth-protected-resource", endpoint=metadata_routes[0].endpoint)]

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with manager.run(), agents.manager.run(), anyio.create_task_group() as tg:
            if watch:
                tg.start_soon(app.watch)
                tg.start_soon(app.maintain)
                tg.start_soon(Scheduler(app).serve)
            if dispatch:
                tg.start_soon(Dispatcher(app).run)
            yield
            tg.cancel_scope.cancel()

    starlette = Starlette(routes=routes, lifespan=lifespan)
    starlette.state.bifrost = bifrost
    starlette.state.sessions = sessions
    return starlette


async def serve_http(app: App, *, host: str, port: int, prefix: str = "") -> None:
    """Serve `app` over streamable HTTP on `host:port` until the process is stopped."""
    asgi = build_asgi(app, host=host, port=port, prefix=prefix)
    settle_after_reloads(app)
    await uvicorn.Server(uvicorn.Config(asgi, host=host, port=port, log_level="warning", lifespan="on")).serve()
