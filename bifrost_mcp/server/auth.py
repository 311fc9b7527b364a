"""Bearer-token authentication for streamable HTTP: one verification per request, through mcp's auth types.

`BearerGate` wraps the MCP endpoint: it verifies the token on every request, answers 401/403 with
WWW-Authenticate (and the RFC 9728 resource-metadata URL) and a message saying what is wrong, applies
`X-Bifrost-Org` for platform admins only, and hands the verified Caller to the MCP handlers through the ASGI
scope. A request repeating either header is answered 400.
"""

from __future__ import annotations

import json

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from starlette.authentication import AuthCredentials
from starlette.types import ASGIApp, Receive, Scope, Send

from bifrost_mcp.caller import Caller
from bifrost_mcp.errors import AuthenticationError
from bifrost_mcp.identity.callers import Callers

CALLER_SCOPE_KEY = "bifrost.caller"
ORG_HEADER = b"x-bifrost-org"


def oauth_error(status: int) -> str:
    """The RFC 6750 error code of a refusal with HTTP `status`."""
    return "invalid_token" if status == 401 else "insufficient_scope" if status == 403 else "invalid_request"


def repeated_header(raw_headers: list[tuple[bytes, bytes]], *names: tuple[bytes, str]) -> str | None:
    """Why a request repeating one of the (name, label) headers is refused, or None when none repeats."""
    for name, label in names:
        count = sum(1 for key, _ in raw_headers if key == name)
        if count > 1:
            # Proxies and servers disagree on which of several copies wins: never guess the identity.
            return f"send one {label} header; this request has {count}"
    return None


def challenge(error: str, description: str, resource_metadata_url: str | None) -> str:
    """The WWW-Authenticate value of a refusal (RFC 6750, with the RFC 9728 resource-metadata URL)."""
    parts = [f'error="{error}"', f'error_description="{description}"']
    if resource_metadata_url:
        parts.append(f'resource_metadata="{resource_metadata_url}"')
    return "Bearer " + ", ".join(parts)


def access_token_for(token: str, caller: Caller) -> AccessToken:
    return AccessToken(
        token=token,
        client_id=caller.credential_id or caller.user_id,
        scopes=[],
        subject=caller.user_id,
        claims={"org_id": caller.org_id, "function_key": caller.is_function_key},
    )


class BearerGate:
    def __init__(self, callers: Callers, inner: ASGIApp, resource_metadata_url: str | None) -> None:
        self.callers = callers
        self.inner = inner
        self.resource_metadata_url = resource_metadata_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        raw_headers = scope.get("headers") or []
        repeated = repeated_header(raw_headers, (b"authorization", "Authorization"), (ORG_HEADER, "X-Bifrost-Org"))
        if repeated is not None:
            await self._refuse(send, 400, "invalid_request", repeated)
            return
        headers = dict(raw_headers)
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        if not authorization.lower().startswith("bearer ") or not authorization[7:].strip():
            await self._refuse(send, 401, "invalid_token", "missing bearer token: send 'Authorization: Bearer <token>'")
            return
        token = authorization[7:].strip()
        try:
            caller = await self.callers.for_token(token)
            org_ref = headers.get(ORG_HEADER, b"").decode("latin-1").strip()
            caller = await self.callers.acting_in(caller, org_ref or None)
        except AuthenticationError as exc:
            await self._refuse(send, exc.status, oauth_error(exc.status), exc.reason)
            return
        scope[CALLER_SCOPE_KEY] = caller
        scope["user"] = AuthenticatedUser(access_token_for(token, caller))
        scope["auth"] = AuthCredentials([])
        await self.inner(scope, receive, send)

    async def _refuse(self, send: Send, status: int, error: str, description: str) -> None:
        body = json.dumps({"error": error, "error_description": description}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", challenge(error, description, self.resource_metadata_url).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
