"""The web chat: the page at /chat (static files in the package) and the JSON it reads, under /api.

The page itself carries no secret, so it loads without a token; every /api call goes through the same
BearerGate as /mcp and acts as the caller it verifies. Every answer carries the security headers: the page
runs only its own script (no inline code), may not be framed, and sends no referrer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, request_response
from starlette.types import ASGIApp

from bifrost.errors import AccessDenied, NotFoundError, ValidationError
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.records import Conversation
from bifrost_mcp.conversations.view import ConversationsView
from bifrost_mcp.identity.callers import Callers
from bifrost_mcp.server.auth import CALLER_SCOPE_KEY, BearerGate

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
}
# The page's files, by the name they are served under, with their media type.
STATIC = {
    "chat.js": "text/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
}
CONVERSATIONS_PAGE = 200  # the sidebar shows the most recently active; older ones stay in the CLI

Handler = Callable[[Request, Caller], Awaitable[Any]]


def _static(name: str) -> bytes:
    return (resources.files("bifrost_mcp.server") / "static" / name).read_bytes()


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})


def _error(status: int, error: str, description: str) -> JSONResponse:
    return _json({"error": error, "error_description": description}, status)


def _api(callers: Callers, handler: Handler) -> ASGIApp:
    """`handler` behind the bearer gate, with our errors as JSON answers instead of 500s."""

    async def endpoint(request: Request) -> Response:
        caller = request.scope.get(CALLER_SCOPE_KEY)
        if not isinstance(caller, Caller):  # unreachable behind BearerGate; never guess an identity
            return _error(401, "invalid_token", "no authenticated caller")
        try:
            return _json(await handler(request, caller))
        except NotFoundError as exc:
            return _error(404, "not_found", str(exc))
        except AccessDenied as exc:
            return _error(403, "forbidden", str(exc))
        except ValidationError as exc:
            return _error(400, "invalid_request", str(exc))

    return BearerGate(callers, request_response(endpoint), None)


def conversation_summary(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "title": conversation.title,
        "agent": conversation.agent,
        "updated_at": conversation.updated_at.isoformat(),
    }


def web_routes(app: App, *, prefix: str = "") -> list[BaseRoute]:
    """The chat page and its JSON API; `prefix` is the mount path build_asgi serves under."""

    async def agents(_: Request, caller: Caller) -> dict[str, Any]:
        visible = app.visible_agents(caller)
        return {"agents": [{"name": a.name, "description": a.agent.description or ""} for a in visible]}

    async def conversations(_: Request, caller: Caller) -> dict[str, Any]:
        listed = await ConversationsView(app.host.conversations, caller).list(limit=CONVERSATIONS_PAGE)
        return {"conversations": [conversation_summary(c) for c in listed]}

    async def conversation(request: Request, caller: Caller) -> dict[str, Any]:
        found = await ConversationsView(app.host.conversations, caller).get(request.path_params["conversation_id"])
        return {**conversation_summary(found), "messages": [m.model_dump(mode="json") for m in found.messages]}

    async def page(_: Request) -> Response:
        return Response(_static("chat.html"), media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

    def static(name: str) -> Callable[[Request], Awaitable[Response]]:
        async def serve(_: Request) -> Response:
            return Response(_static(name), media_type=STATIC[name], headers=SECURITY_HEADERS)

        return serve

    callers = app.host.callers
    return [
        Route(f"{prefix}/chat", endpoint=page, methods=["GET"]),
        *(Route(f"{prefix}/static/{name}", endpoint=static(name), methods=["GET"]) for name in STATIC),
        Route(f"{prefix}/api/agents", endpoint=_api(callers, agents), methods=["GET"]),
        Route(f"{prefix}/api/conversations", endpoint=_api(callers, conversations), methods=["GET"]),
        Route(
            f"{prefix}/api/conversations/{{conversation_id}}",
            endpoint=_api(callers, conversation),
            methods=["GET"],
        ),
    ]
